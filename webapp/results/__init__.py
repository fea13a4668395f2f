"""The results of the resident journey: the page, its print stylesheet and a PDF."""
