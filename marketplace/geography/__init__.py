"""French reference geography: regions, departments and communes with coordinates."""
