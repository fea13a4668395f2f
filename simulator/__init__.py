"""Pure-Python simulator: household model, OpenFisca mapping, runs and results."""
