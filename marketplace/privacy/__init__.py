"""Each person's data rights (RGPD): everything held about them, downloaded; their
account closed, the person erased while the business records others rely on stay;
inactive accounts warned, then closed."""
