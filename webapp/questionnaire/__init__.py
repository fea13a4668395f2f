"""The resident journey: the questionnaire, check your answers, save and resume."""
