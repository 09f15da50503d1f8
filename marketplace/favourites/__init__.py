"""Buyers' favourite lists of suppliers, private or shared within their organisation."""
