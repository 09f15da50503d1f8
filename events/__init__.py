"""Business fairs: programme, registration, meeting requests and the meeting scheduler."""
