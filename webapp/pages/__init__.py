"""Information pages: home, personal data, accessibility statement."""
