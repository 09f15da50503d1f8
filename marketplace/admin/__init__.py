"""Platform administration: accounts."""
