"""Business fairs: creation, sessions and slots, tables, registration, catalogue, results."""
