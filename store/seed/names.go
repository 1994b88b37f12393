package seed

// Name parts, mixed on purpose: the search and the screens must cope with
// accents, non-Latin scripts and long names.
var givenNames = []string{
	"Ann", "Zoë", "José", "Łucja", "Mohammed", "Aisha", "Björn", "Chloé", "Dmitri", "Émile",
	"Fatima", "Giulia", "Hiroshi", "Ingrid", "Jürgen", "Kateřina", "Liam", "Maëlle", "Nikolai", "Olumide",
	"Priya", "Quentin", "Rosa", "Søren", "Tomás", "Uma", "Václav", "Wei", "Xiomara", "Yusuf",
	"Zsófia", "Ana", "Ben", "Clara", "David", "Elif", "Finn", "Grace", "Hannah", "Ivan",
	"Jana", "Karim", "Lena", "Marta", "Noah", "Olivia", "Pablo", "Rania", "Sven", "Thea",
}

var familyNames = []string{
	"Smith", "Łukasiewicz", "García", "Müller", "Nguyen", "O'Brien", "Dubois", "Rossi", "Kowalski", "Jensen",
	"Okafor", "Tanaka", "Novák", "Fernández", "Schäfer", "Petrović", "Björklund", "Haddad", "Ivanova", "Costa",
	"Moreau", "Lindqvist", "Papadopoulos", "Yılmaz", "Chen", "Kim", "Singh", "Das", "Andersen", "de la Cruz",
	"van der Berg", "Ó Súilleabháin", "Nakamura", "Wójcik", "Horvát", "Sørensen", "Álvarez", "Mendes", "Keller", "Brown",
	"Иванов", "Zhang", "Abubakar", "Mensah", "Kaur", "Bauer", "Fischer", "Weber", "Rahman", "Dupont",
}

var doctorNames = []string{
	"Amara Okafor", "Erik Lindqvist", "Camille Moreau", "Kenji Tanaka", "Lucía Fernández", "Jonas Weber",
	"Noor Haddad", "Piotr Wójcik", "Sofia Rossi", "Daniel Kim",
}

var streets = []string{"Linden St", "Harbour Rd", "Mill Lane", "Birkenweg", "Rue des Lilas", "Calle Mayor", "Church Rd", "Station Ave"}

var reasons = []string{"check-up", "follow-up", "blood pressure review", "persistent cough", "back pain", "vaccination", "skin rash", "diabetes review", "sore throat", "headaches", "medication review", "ear pain"}

var allergens = []string{"penicillin", "peanuts", "latex", "ibuprofen", "shellfish", "pollen", "sulfonamides", "eggs"}

var drugs = []struct{ name, dose, freq string }{
	{"amoxicillin", "500 mg", "three times a day"}, {"lisinopril", "10 mg", "once a day"},
	{"metformin", "850 mg", "twice a day"}, {"atorvastatin", "20 mg", "once at night"},
	{"salbutamol", "100 mcg", "as needed"}, {"omeprazole", "20 mg", "once a day"},
	{"sertraline", "50 mg", "once a day"}, {"paracetamol", "1 g", "up to four times a day"},
}

var complaints = []string{
	"Reports two weeks of dry cough, worse at night.", "Lower back pain after lifting, no radiation.",
	"Here for routine review; feels well.", "Intermittent headaches, mostly afternoons.",
	"Itchy rash on both forearms for five days.", "Sore throat and mild fever since Monday.",
}
