package published

import (
	"strings"

	"github.com/dueprocess/dueprocess"
)

// OtherJurisdictions names the codes outside dueprocess.Countries that a
// Figure's Jurisdiction can hold. The companies report requests from places
// that have no ISO 3166-1 alpha-2 code; merging them into a neighbour would
// be a political statement and would put two rows under one key, so each
// gets a code of its own:
//
//	XK  Kosovo                user-assigned; the code CLDR, Google and the EU use
//	XS  Somaliland            user-assigned (ISO leaves XA–XZ to users); Meta lists it apart from Somalia
//	AN  Netherlands Antilles  the ISO code until the islands split in 2010; Meta still lists it
//	UN  United Nations        reserved by ISO for the UN; Google reports its requests
//	ZZ  Unknown               CLDR's unknown region; Apple's "N/A"
var OtherJurisdictions = map[string]string{
	"XK": "Kosovo",
	"XS": "Somaliland",
	"AN": "Netherlands Antilles",
	"UN": "United Nations",
	"ZZ": "Unknown",
}

// aliases maps the companies' spellings, folded by fold, to codes where they
// differ from the short names in dueprocess.Countries. Names that differ
// only in accents, "&" for "and" or "St." for "Saint" need no entry.
var aliases = map[string]string{
	// Apple
	"china mainland":           "CN",
	"united states of america": "US",
	"n/a":                      "ZZ",
	// Meta
	"antigua":                                      "AG",
	"bonaire, sint eustatius and saba":             "BQ",
	"democratic republic of the congo":             "CD",
	"republic of the congo":                        "CG",
	"federated states of micronesia":               "FM",
	"heard island and mcdonald islands":            "HM",
	"ivory coast":                                  "CI",
	"pitcairn":                                     "PN",
	"south georgia and the south sandwich islands": "GS",
	"swaziland":                                    "SZ",
	"the bahamas":                                  "BS",
	"the gambia":                                   "GM",
	"us virgin islands":                            "VI",
	"united states minor outlying islands":         "UM",
	"somaliland":                                   "XS",
	"netherlands antilles":                         "AN",
	// Google, where it gives no code
	"united nations":                    "UN",
	"falkland islands (islas malvinas)": "FK",
	// Former and formal names the companies have used or may use.
	"czech republic":                         "CZ",
	"turkey":                                 "TR",
	"macau":                                  "MO",
	"macao sar china":                        "MO",
	"macedonia":                              "MK",
	"republic of north macedonia":            "MK",
	"kosovo":                                 "XK",
	"russian federation":                     "RU",
	"hong kong sar china":                    "HK",
	"hong kong sar":                          "HK",
	"korea, republic of":                     "KR",
	"republic of korea":                      "KR",
	"korea, democratic people's republic of": "KP",
	"usa":                                    "US",
	"uk":                                     "GB",
	"great britain":                          "GB",
	"viet nam":                               "VN",
	"iran, islamic republic of":              "IR",
	"syrian arab republic":                   "SY",
	"lao people's democratic republic":       "LA",
	"brunei darussalam":                      "BN",
	"cabo verde":                             "CV",
	"holy see":                               "VA",
	"moldova, republic of":                   "MD",
	"tanzania, united republic of":           "TZ",
	"bolivia, plurinational state of":        "BO",
	"venezuela, bolivarian republic of":      "VE",
	"palestine, state of":                    "PS",
	"palestinian territories":                "PS",
	"myanmar (burma)":                        "MM",
	"congo - kinshasa":                       "CD",
	"congo - brazzaville":                    "CG",
	"east timor":                             "TL",
}

// aggregates are the names of rows that sum the other rows of a file. They
// are dropped: they carry nothing the country rows do not, and a reader
// summing figures would count every request twice. None of the sample files
// has one, but the companies' web tables do.
var aggregates = map[string]bool{
	"global":        true,
	"worldwide":     true,
	"total":         true,
	"grand total":   true,
	"all countries": true,
}

// byName indexes dueprocess.Countries and OtherJurisdictions by folded name.
var byName = func() map[string]string {
	m := make(map[string]string, len(dueprocess.Countries)+len(aliases))
	for code, name := range dueprocess.Countries {
		m[fold(name)] = code
	}
	for code, name := range OtherJurisdictions {
		m[fold(name)] = code
	}
	for name, code := range aliases {
		m[fold(name)] = code
	}
	return m
}()

// foldAccents drops the accents the ISO short names carry and the companies
// leave off ("Réunion", "Curaçao", "Côte d’Ivoire").
var foldAccents = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ã", "a", "å", "a", "ä", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "î", "i", "ï", "i",
	"ó", "o", "ô", "o", "õ", "o", "ö", "o",
	"ú", "u", "û", "u", "ü", "u",
	"ç", "c", "ñ", "n",
	"’", "'", "‘", "'",
)

// fold makes a country name comparable: lower case, accents dropped, "&"
// read as "and", "St." as "Saint", and runs of spaces made one.
func fold(name string) string {
	s := foldAccents.Replace(strings.ToLower(name))
	s = strings.ReplaceAll(s, "&", " and ")
	f := strings.Fields(s)
	for i, w := range f {
		if w == "st." || w == "st" {
			f[i] = "saint"
		}
	}
	return strings.Join(f, " ")
}

// jurisdictionOf maps a company's country name to its code. It returns
// aggregate true for a row that sums the others, and ok false for a name
// it does not know.
func jurisdictionOf(name string) (code string, aggregate, ok bool) {
	f := fold(name)
	if aggregates[f] {
		return "", true, true
	}
	code, ok = byName[f]
	return code, false, ok
}

// knownCode reports whether code is a code a Figure may carry.
func knownCode(code string) bool {
	if _, ok := dueprocess.Countries[code]; ok {
		return true
	}
	_, ok := OtherJurisdictions[code]
	return ok
}

// jurisdiction reads the country column of the current row. It returns ""
// with no error for an aggregate row, which the caller skips.
func (t *table) jurisdiction(column string) (string, error) {
	name := t.cell(column)
	if name == "" {
		return "", t.errorf(column, "the country or region is missing")
	}
	code, aggregate, ok := jurisdictionOf(name)
	if !ok {
		return "", t.errorf(column, "no ISO 3166-1 code is known for the country or region %q", name)
	}
	if aggregate {
		return "", nil
	}
	return code, nil
}
