"""What the privacy policy lists: the processors personal data goes through, and how
long each kind of data is kept (kept here, beside the code that keeps it)."""

PROCESSORS = [
    ("Hébergement et base de données", "l'hébergeur de la plateforme (voir les mentions légales)",
     "toutes les données du service", "Union européenne"),
    ("Envoi des courriels", "le serveur SMTP de l'exploitant ou son prestataire d'envoi",
     "adresse électronique, nom, contenu des messages", "Union européenne"),
    ("Paiement en ligne", "Stripe Payments Europe Ltd (Irlande), si les paiements sont activés",
     "nom, adresse de facturation, données de carte (saisies chez Stripe, jamais chez nous)",
     "Union européenne ; transferts encadrés par les clauses contractuelles types"),
]

RETENTION = [
    ("Compte utilisateur", "tant que le compte sert : sans connexion pendant 23 mois, nous vous prévenons par "
                           "e-mail ; après 24 mois, le compte est clôturé et vos données personnelles effacées"),
    ("Journal des actions sensibles (rôles, désactivations, attributions, remboursements, exports de "
     "contacts, clés d'API)", "5 ans (sécurité du service et preuve des décisions)"),
    ("Besoins, offres et messages", "5 ans après la clôture du besoin (preuve de la procédure d'achat)"),
    ("Factures et commandes", "10 ans (obligation comptable, article L123-22 du Code de commerce)"),
    ("Journaux techniques", "1 an (sécurité du service)"),
    ("Inscriptions et rendez-vous des salons", "3 ans après le salon"),
]
