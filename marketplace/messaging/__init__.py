"""Message threads between a buyer and a supplier about a need."""
