package wire

// regionZones maps, for countries that span zones, the states, provinces
// and big cities carriers name onto their zone, by placeKey. A state that
// itself spans zones maps to the zone most of its people live in.
var regionZones = map[string]map[string]string{
	"US": zoneNames(map[string][]string{
		"America/New_York": {"CT", "Connecticut", "DE", "Delaware", "DC", "District of Columbia", "FL", "Florida",
			"GA", "Georgia", "KY", "Kentucky", "ME", "Maine", "MD", "Maryland", "MA", "Massachusetts",
			"NH", "New Hampshire", "NJ", "New Jersey", "NY", "New York", "NC", "North Carolina", "OH", "Ohio",
			"PA", "Pennsylvania", "RI", "Rhode Island", "SC", "South Carolina", "VT", "Vermont",
			"VA", "Virginia", "WV", "West Virginia"},
		"America/Detroit":              {"MI", "Michigan"},
		"America/Indiana/Indianapolis": {"IN", "Indiana"},
		"America/Chicago": {"AL", "Alabama", "AR", "Arkansas", "IL", "Illinois", "IA", "Iowa", "KS", "Kansas",
			"LA", "Louisiana", "MN", "Minnesota", "MS", "Mississippi", "MO", "Missouri", "NE", "Nebraska",
			"ND", "North Dakota", "OK", "Oklahoma", "SD", "South Dakota", "TN", "Tennessee", "TX", "Texas",
			"WI", "Wisconsin"},
		"America/Denver":      {"CO", "Colorado", "MT", "Montana", "NM", "New Mexico", "UT", "Utah", "WY", "Wyoming"},
		"America/Boise":       {"ID", "Idaho"},
		"America/Phoenix":     {"AZ", "Arizona"},
		"America/Los_Angeles": {"CA", "California", "NV", "Nevada", "OR", "Oregon", "WA", "Washington"},
		"America/Anchorage":   {"AK", "Alaska"},
		"Pacific/Honolulu":    {"HI", "Hawaii"},
	}),
	"CA": zoneNames(map[string][]string{
		"America/Vancouver":  {"BC", "British Columbia", "Vancouver", "Victoria"},
		"America/Edmonton":   {"AB", "Alberta", "Calgary", "Edmonton", "NT", "Northwest Territories"},
		"America/Regina":     {"SK", "Saskatchewan"},
		"America/Winnipeg":   {"MB", "Manitoba"},
		"America/Toronto":    {"ON", "Ontario", "QC", "Quebec", "Québec", "Toronto", "Ottawa", "Montreal", "Montréal"},
		"America/Moncton":    {"NB", "New Brunswick"},
		"America/Halifax":    {"NS", "Nova Scotia", "PE", "Prince Edward Island"},
		"America/St_Johns":   {"NL", "Newfoundland and Labrador", "Newfoundland"},
		"America/Whitehorse": {"YT", "Yukon"},
		"America/Iqaluit":    {"NU", "Nunavut"},
	}),
	"BR": zoneNames(map[string][]string{
		"America/Sao_Paulo": {"SP", "São Paulo", "RJ", "Rio de Janeiro", "MG", "Minas Gerais", "ES", "Espírito Santo",
			"PR", "Paraná", "SC", "Santa Catarina", "RS", "Rio Grande do Sul", "GO", "Goiás", "DF", "Distrito Federal",
			"Brasília", "Curitiba", "Belo Horizonte", "Porto Alegre"},
		"America/Bahia":        {"BA", "Bahia", "Salvador"},
		"America/Fortaleza":    {"CE", "Ceará", "MA", "Maranhão", "PI", "Piauí", "RN", "Rio Grande do Norte", "PB", "Paraíba", "Fortaleza"},
		"America/Recife":       {"PE", "Pernambuco", "Recife"},
		"America/Maceio":       {"AL", "Alagoas", "SE", "Sergipe"},
		"America/Belem":        {"PA", "Pará", "AP", "Amapá", "Belém"},
		"America/Araguaina":    {"TO", "Tocantins"},
		"America/Cuiaba":       {"MT", "Mato Grosso"},
		"America/Campo_Grande": {"MS", "Mato Grosso do Sul"},
		"America/Porto_Velho":  {"RO", "Rondônia"},
		"America/Boa_Vista":    {"RR", "Roraima"},
		"America/Manaus":       {"AM", "Amazonas", "Manaus"},
		"America/Rio_Branco":   {"AC", "Acre"},
	}),
	"AU": zoneNames(map[string][]string{
		"Australia/Sydney":    {"NSW", "New South Wales", "ACT", "Australian Capital Territory", "Sydney", "Canberra"},
		"Australia/Melbourne": {"VIC", "Victoria", "Melbourne"},
		"Australia/Brisbane":  {"QLD", "Queensland", "Brisbane"},
		"Australia/Adelaide":  {"SA", "South Australia", "Adelaide"},
		"Australia/Perth":     {"WA", "Western Australia", "Perth"},
		"Australia/Hobart":    {"TAS", "Tasmania", "Hobart"},
		"Australia/Darwin":    {"NT", "Northern Territory", "Darwin"},
	}),
	"MX": zoneNames(map[string][]string{
		"America/Tijuana":     {"BC", "Baja California", "Tijuana", "Mexicali"},
		"America/Mazatlan":    {"BCS", "Baja California Sur", "SIN", "Sinaloa", "NAY", "Nayarit"},
		"America/Hermosillo":  {"SON", "Sonora"},
		"America/Chihuahua":   {"CHH", "Chihuahua"},
		"America/Cancun":      {"ROO", "QROO", "Quintana Roo", "Cancún"},
		"America/Monterrey":   {"NL", "NLE", "Nuevo León", "Monterrey"},
		"America/Mexico_City": {"CDMX", "Ciudad de México", "Mexico City", "Jalisco", "Guadalajara", "Puebla"},
	}),
	"RU": zoneNames(map[string][]string{
		"Europe/Kaliningrad": {"Kaliningrad"},
		"Europe/Moscow": {"Moscow", "Moskva", "Москва", "Saint Petersburg", "St Petersburg", "Sankt-Peterburg",
			"Санкт-Петербург", "Nizhny Novgorod", "Kazan", "Rostov-on-Don", "Krasnodar", "Voronezh"},
		"Europe/Samara":      {"Samara"},
		"Asia/Yekaterinburg": {"Yekaterinburg", "Ekaterinburg", "Chelyabinsk", "Tyumen", "Perm", "Ufa"},
		"Asia/Omsk":          {"Omsk"},
		"Asia/Novosibirsk":   {"Novosibirsk", "Новосибирск"},
		"Asia/Krasnoyarsk":   {"Krasnoyarsk"},
		"Asia/Irkutsk":       {"Irkutsk"},
		"Asia/Yakutsk":       {"Yakutsk"},
		"Asia/Vladivostok":   {"Vladivostok", "Khabarovsk"},
		"Asia/Magadan":       {"Magadan"},
		"Asia/Kamchatka":     {"Petropavlovsk-Kamchatsky"},
	}),
}

// zoneNames turns zone → names into name key → zone.
func zoneNames(byZone map[string][]string) map[string]string {
	m := map[string]string{}
	for zone, names := range byZone {
		for _, n := range names {
			m[placeKey(n)] = zone
		}
	}
	return m
}
