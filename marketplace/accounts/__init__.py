"""User accounts: sign-up, email confirmation, login, password reset, profile, roles."""
