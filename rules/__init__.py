"""The law as code and as data: the tax-benefit system and the benefit catalog."""
