package dueprocess

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
)

// Countries maps every officially assigned ISO 3166-1 alpha-2 code to its
// short English name.
var Countries = map[string]string{
	"AD": "Andorra", "AE": "United Arab Emirates", "AF": "Afghanistan", "AG": "Antigua and Barbuda",
	"AI": "Anguilla", "AL": "Albania", "AM": "Armenia", "AO": "Angola", "AQ": "Antarctica",
	"AR": "Argentina", "AS": "American Samoa", "AT": "Austria", "AU": "Australia", "AW": "Aruba",
	"AX": "Åland Islands", "AZ": "Azerbaijan", "BA": "Bosnia and Herzegovina", "BB": "Barbados",
	"BD": "Bangladesh", "BE": "Belgium", "BF": "Burkina Faso", "BG": "Bulgaria", "BH": "Bahrain",
	"BI": "Burundi", "BJ": "Benin", "BL": "Saint Barthélemy", "BM": "Bermuda", "BN": "Brunei",
	"BO": "Bolivia", "BQ": "Caribbean Netherlands", "BR": "Brazil", "BS": "Bahamas", "BT": "Bhutan",
	"BV": "Bouvet Island", "BW": "Botswana", "BY": "Belarus", "BZ": "Belize", "CA": "Canada",
	"CC": "Cocos (Keeling) Islands", "CD": "Congo (DRC)", "CF": "Central African Republic",
	"CG": "Congo (Republic)", "CH": "Switzerland", "CI": "Côte d’Ivoire", "CK": "Cook Islands",
	"CL": "Chile", "CM": "Cameroon", "CN": "China", "CO": "Colombia", "CR": "Costa Rica", "CU": "Cuba",
	"CV": "Cape Verde", "CW": "Curaçao", "CX": "Christmas Island", "CY": "Cyprus", "CZ": "Czechia",
	"DE": "Germany", "DJ": "Djibouti", "DK": "Denmark", "DM": "Dominica", "DO": "Dominican Republic",
	"DZ": "Algeria", "EC": "Ecuador", "EE": "Estonia", "EG": "Egypt", "EH": "Western Sahara",
	"ER": "Eritrea", "ES": "Spain", "ET": "Ethiopia", "FI": "Finland", "FJ": "Fiji",
	"FK": "Falkland Islands", "FM": "Micronesia", "FO": "Faroe Islands", "FR": "France", "GA": "Gabon",
	"GB": "United Kingdom", "GD": "Grenada", "GE": "Georgia", "GF": "French Guiana", "GG": "Guernsey",
	"GH": "Ghana", "GI": "Gibraltar", "GL": "Greenland", "GM": "Gambia", "GN": "Guinea",
	"GP": "Guadeloupe", "GQ": "Equatorial Guinea", "GR": "Greece",
	"GS": "South Georgia and South Sandwich Islands", "GT": "Guatemala", "GU": "Guam",
	"GW": "Guinea-Bissau", "GY": "Guyana", "HK": "Hong Kong", "HM": "Heard and McDonald Islands",
	"HN": "Honduras", "HR": "Croatia", "HT": "Haiti", "HU": "Hungary", "ID": "Indonesia",
	"IE": "Ireland", "IL": "Israel", "IM": "Isle of Man", "IN": "India",
	"IO": "British Indian Ocean Territory", "IQ": "Iraq", "IR": "Iran", "IS": "Iceland", "IT": "Italy",
	"JE": "Jersey", "JM": "Jamaica", "JO": "Jordan", "JP": "Japan", "KE": "Kenya", "KG": "Kyrgyzstan",
	"KH": "Cambodia", "KI": "Kiribati", "KM": "Comoros", "KN": "Saint Kitts and Nevis",
	"KP": "North Korea", "KR": "South Korea", "KW": "Kuwait", "KY": "Cayman Islands",
	"KZ": "Kazakhstan", "LA": "Laos", "LB": "Lebanon", "LC": "Saint Lucia", "LI": "Liechtenstein",
	"LK": "Sri Lanka", "LR": "Liberia", "LS": "Lesotho", "LT": "Lithuania", "LU": "Luxembourg",
	"LV": "Latvia", "LY": "Libya", "MA": "Morocco", "MC": "Monaco", "MD": "Moldova",
	"ME": "Montenegro", "MF": "Saint Martin", "MG": "Madagascar", "MH": "Marshall Islands",
	"MK": "North Macedonia", "ML": "Mali", "MM": "Myanmar", "MN": "Mongolia", "MO": "Macao",
	"MP": "Northern Mariana Islands", "MQ": "Martinique", "MR": "Mauritania", "MS": "Montserrat",
	"MT": "Malta", "MU": "Mauritius", "MV": "Maldives", "MW": "Malawi", "MX": "Mexico",
	"MY": "Malaysia", "MZ": "Mozambique", "NA": "Namibia", "NC": "New Caledonia", "NE": "Niger",
	"NF": "Norfolk Island", "NG": "Nigeria", "NI": "Nicaragua", "NL": "Netherlands", "NO": "Norway",
	"NP": "Nepal", "NR": "Nauru", "NU": "Niue", "NZ": "New Zealand", "OM": "Oman", "PA": "Panama",
	"PE": "Peru", "PF": "French Polynesia", "PG": "Papua New Guinea", "PH": "Philippines",
	"PK": "Pakistan", "PL": "Poland", "PM": "Saint Pierre and Miquelon", "PN": "Pitcairn Islands",
	"PR": "Puerto Rico", "PS": "Palestine", "PT": "Portugal", "PW": "Palau", "PY": "Paraguay",
	"QA": "Qatar", "RE": "Réunion", "RO": "Romania", "RS": "Serbia", "RU": "Russia", "RW": "Rwanda",
	"SA": "Saudi Arabia", "SB": "Solomon Islands", "SC": "Seychelles", "SD": "Sudan", "SE": "Sweden",
	"SG": "Singapore", "SH": "Saint Helena", "SI": "Slovenia", "SJ": "Svalbard and Jan Mayen",
	"SK": "Slovakia", "SL": "Sierra Leone", "SM": "San Marino", "SN": "Senegal", "SO": "Somalia",
	"SR": "Suriname", "SS": "South Sudan", "ST": "São Tomé and Príncipe", "SV": "El Salvador",
	"SX": "Sint Maarten", "SY": "Syria", "SZ": "Eswatini", "TC": "Turks and Caicos Islands",
	"TD": "Chad", "TF": "French Southern Territories", "TG": "Togo", "TH": "Thailand",
	"TJ": "Tajikistan", "TK": "Tokelau", "TL": "Timor-Leste", "TM": "Turkmenistan", "TN": "Tunisia",
	"TO": "Tonga", "TR": "Türkiye", "TT": "Trinidad and Tobago", "TV": "Tuvalu", "TW": "Taiwan",
	"TZ": "Tanzania", "UA": "Ukraine", "UG": "Uganda", "UM": "U.S. Outlying Islands",
	"US": "United States", "UY": "Uruguay", "UZ": "Uzbekistan", "VA": "Vatican City",
	"VC": "Saint Vincent and the Grenadines", "VE": "Venezuela", "VG": "British Virgin Islands",
	"VI": "U.S. Virgin Islands", "VN": "Vietnam", "VU": "Vanuatu", "WF": "Wallis and Futuna",
	"WS": "Samoa", "YE": "Yemen", "YT": "Mayotte", "ZA": "South Africa", "ZM": "Zambia",
	"ZW": "Zimbabwe",
}

// ParseJurisdiction checks that s is an ISO 3166-1 alpha-2 country code,
// optionally followed by an ISO 3166-2 subdivision ("US-CA"), and returns it
// in upper case. The country must exist, and so must the subdivision, in
// the iso-codes project's list (see isocodes/README.md).
func ParseJurisdiction(s string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	country, sub, hasSub := strings.Cut(code, "-")
	if len(country) != 2 {
		return "", Errorf(Invalid, "%q is not an ISO 3166-1 alpha-2 country code such as \"HK\" or a subdivision such as \"US-CA\"", s)
	}
	name, ok := Countries[country]
	if !ok {
		return "", Errorf(Invalid, "%q is not an ISO 3166-1 country code", country)
	}
	if hasSub {
		if len(sub) < 1 || len(sub) > 3 {
			return "", Errorf(Invalid, "%q is not an ISO 3166-2 subdivision code such as \"US-CA\"", s)
		}
		for _, r := range sub {
			if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
				return "", Errorf(Invalid, "%q is not an ISO 3166-2 subdivision code such as \"US-CA\"", s)
			}
		}
		subs := subdivisions()
		if !subs.codes[code] {
			if subs.countries[country] == 0 {
				return "", Errorf(Invalid, "%q is not an ISO 3166-2 subdivision: %s (%s) has none; use %q", code, name, country, country)
			}
			return "", Errorf(Invalid, "%q is not an ISO 3166-2 subdivision of %s (%s)", code, name, country)
		}
	}
	return code, nil
}

//go:embed isocodes/iso_3166-2.json
var iso3166_2 []byte

type subdivisionTable struct {
	codes     map[string]bool // "US-CA"
	countries map[string]int  // "US": how many subdivisions it has
}

// subdivisions reads the embedded ISO 3166-2 list once, when a
// subdivision is first checked. The file is part of the program, so a
// fault in it is a fault of the build, caught by the package's tests.
var subdivisions = sync.OnceValue(func() subdivisionTable {
	var file struct {
		Subdivisions []struct {
			Code string `json:"code"`
		} `json:"3166-2"`
	}
	if err := json.Unmarshal(iso3166_2, &file); err != nil {
		panic("dueprocess: the embedded isocodes/iso_3166-2.json does not parse: " + err.Error())
	}
	t := subdivisionTable{codes: make(map[string]bool, len(file.Subdivisions)), countries: map[string]int{}}
	for _, s := range file.Subdivisions {
		t.codes[s.Code] = true
		t.countries[Country(s.Code)]++
	}
	return t
})

// Country returns the country part of a jurisdiction: "US" for "US-CA".
func Country(jurisdiction string) string {
	c, _, _ := strings.Cut(jurisdiction, "-")
	return c
}
