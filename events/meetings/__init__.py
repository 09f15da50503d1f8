"""B2B meetings at a fair: requests, the programme (scheduler runs and manual changes),
agendas, and the day itself (check-in, no-shows, feedback)."""
