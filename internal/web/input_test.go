package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// refusal is a body the API must refuse with 400 naming field.
type refusal struct {
	name  string
	body  string
	field string
}

// expectRefused submits each body as the Hong Kong official, on both
// databases, and checks the 400, the field named and that no row changed.
// The accepted bodies must then be taken, on the same server.
func expectRefused(t *testing.T, tests []refusal, accepted ...string) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		before := e.counts()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, m := e.submit(e.hk, tt.body)
				code, field, msg := errorOf(m)
				if status != 400 || code != "invalid" || field != tt.field || msg == "" {
					t.Errorf("status %d, code %q, field %q, message %q; want 400, invalid, field %q and a message", status, code, field, msg, tt.field)
				}
				if after := e.counts(); after != before {
					t.Errorf("rows changed after a refused submission:\n before %s\n after  %s", before, after)
				}
			})
		}
		// The same server takes the request when it is sent as documented,
		// so the refusals above are not some other fault.
		for _, body := range append([]string{hkRequest}, accepted...) {
			if status, m := e.submit(e.hk, body); status != 201 {
				t.Errorf("status %d %v, want 201 for\n%s", status, m, body)
			}
		}
	})
}

// replace returns hkRequest with the first occurrence of old replaced.
func replace(old, new string) string {
	if !strings.Contains(hkRequest, old) {
		panic("hkRequest has no " + old)
	}
	return strings.Replace(hkRequest, old, new, 1)
}

func TestIntakeRefusesDuplicateKeys(t *testing.T) {
	expectRefused(t, []refusal{
		// encoding/json kept the last "kind": a proxy or a log that keeps
		// the first would see a user_data request where we stored a
		// preservation.
		{"top-level kind twice", replace(`"kind": "user_data",`, `"kind": "user_data", "kind": "preservation",`), "kind"},
		{"nested reference twice", replace(`"reference": "HKPF-2026-0113",`, `"reference": "HKPF-2026-0113", "reference": "HKPF-2026-9999",`), "legal_process.reference"},
		{"target value twice", replace(`"value": "demosisto"}`, `"value": "demosisto", "value": "someone_else"}`), "targets[0].value"},
		{"same name after an escape", replace(`"deadline": "2026-04-01"`, `"deadline": "2026-04-01", "dead\u006cine": "2026-05-01"`), "deadline"},
	})
}

func TestIntakeRefusesKeysInOtherCase(t *testing.T) {
	expectRefused(t, []refusal{
		{"KIND", replace(`"kind":`, `"KIND":`), "KIND"},
		{"Legal_Process", replace(`"legal_process":`, `"Legal_Process":`), "Legal_Process"},
		{"nested Reference", replace(`"reference":`, `"Reference":`), "legal_process.Reference"},
		// With case-insensitive matching this body would set kind twice
		// without a duplicate name.
		{"kind and Kind", replace(`"kind": "user_data",`, `"kind": "user_data", "Kind": "preservation",`), "Kind"},
	})
}

func TestIntakeRefusesInvalidUTF8(t *testing.T) {
	expectRefused(t, []refusal{
		// encoding/json stored these with U+FFFD in place of the bytes sent.
		{"byte 0xFF in the reference", replace(`"HKPF-2026-0113"`, "\"HKPF-2026-\xff0113\""), "legal_process.reference"},
		{"truncated sequence in a target", replace(`"demosisto"`, "\"demosisto\xc3\""), "targets[0].value"},
		{"Latin-1 description", replace(`"posts calling for a boycott"`, "\"posts calling for a boycott \xe0 Hong Kong\""), "offence.description"},
		{"lone surrogate escape", replace(`"Hong Kong Police Force"`, `"Hong Kong Police Force \ud800"`), "legal_process.issued_by"},
	})
}

func TestIntakeRefusesFormatCharacters(t *testing.T) {
	target := func(v string) string {
		return with("targets", []map[string]string{{"type": "username", "value": v}})
	}
	expectRefused(t, []refusal{
		{"right-to-left override in a target", target("demo\u202Eotsis"), "targets[0].value"},
		{"zero-width space in a target", target("demo\u200Bsisto"), "targets[0].value"},
		{"zero-width space in an e-mail target", with("targets", []map[string]string{{"type": "email", "value": "a\u200B@example.org"}}), "targets[0].value"},
		{"byte order mark in the reference", replace(`"HKPF-2026-0113"`, `"\ufeffHKPF-2026-0113"`), "legal_process.reference"},
		{"isolate in the reference", replace(`"HKPF-2026-0113"`, `"HKPF-\u20662026\u2069-0113"`), "legal_process.reference"},
		// A zero-width space would keep "subversion" from matching the
		// policy's escalation of that offence.
		{"zero-width joiner in the offence category", replace(`"subversion"`, `"subver\u200dsion"`), "offence.category"},
		{"word joiner in the offence category", replace(`"subversion"`, `"subver\u2060sion"`), "offence.category"},
		{"override in the issuing authority", replace(`"Hong Kong Police Force"`, `"Hong Kong \u202EPolice Force"`), "legal_process.issued_by"},
		{"override in the description", replace(`"posts calling for a boycott"`, `"posts calling for a \u202Dboycott"`), "offence.description"},
	},
		// A zero-width non-joiner is part of correct Persian spelling, so
		// free text keeps it.
		replace(`"posts calling for a boycott"`, `"posts calling for a boycott (\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645)"`),
	)
}

func TestIntakeRefusesFormatCharactersInFileNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, hkRequest)
		path := "/api/v1/requests/" + m["id"].(string) + "/documents"
		before := e.counts()
		for _, name := range []string{"invoice\u202Efdp.exe", "order\u200B.pdf", "\ufefforder.pdf", "order\x7f.pdf", "order\xff.pdf"} {
			st, body := e.do("POST", path+"?filename="+url.QueryEscape(name), e.hk, bytes.NewReader(pdf(2000)), "Content-Type", "application/pdf")
			var got map[string]any
			json.Unmarshal(body, &got)
			if _, field, _ := errorOf(got); st != 400 || field != "filename" {
				t.Errorf("raw upload named %q: status %d %s, want 400 naming filename", name, st, body)
			}

			if strings.Contains(name, "\x7f") {
				// Go's MIME header reader refuses DEL in a header line
				// before we see the name, as a malformed body.
				continue
			}
			var mp bytes.Buffer
			w := multipart.NewWriter(&mp)
			fw, _ := w.CreateFormFile("file", name)
			fw.Write(pdf(2000))
			w.Close()
			st, body = e.do("POST", path, e.hk, &mp, "Content-Type", w.FormDataContentType())
			got = nil
			json.Unmarshal(body, &got)
			if _, field, _ := errorOf(got); st != 400 || field != "filename" {
				t.Errorf("multipart upload named %q: status %d %s, want 400 naming filename", name, st, body)
			}
		}
		if after := e.counts(); after != before {
			t.Errorf("refused uploads changed rows:\n before %s\n after  %s", before, after)
		}
		if st, body := e.do("POST", path+"?filename=order.pdf", e.hk, bytes.NewReader(pdf(2000)), "Content-Type", "application/pdf"); st != 201 {
			t.Errorf("a plain name: status %d %s, want 201", st, body)
		}
	})
}

func TestIntakeRefusesUnknownSubdivision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var us string
		err := db.Transact(ctx, func(tx *store.Tx) error {
			a := &dueprocess.Agency{Name: "Federal Bureau of Investigation", Jurisdiction: "US", Kind: dueprocess.AgencyPolice, Domains: []string{"fbi.gov"}}
			if err := tx.CreateAgency(ctx, a, dueprocess.System); err != nil {
				return err
			}
			o := &dueprocess.Official{AgencyID: a.ID, Email: "agent@fbi.gov", Name: "Agent"}
			if err := tx.CreateOfficial(ctx, o, dueprocess.System); err != nil {
				return err
			}
			var err error
			us, err = auth.IssueToken(ctx, tx, &dueprocess.Token{OfficialID: o.ID}, dueprocess.System)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		before := e.counts()
		for _, code := range []string{"US-ZZ", "US-XX", "US-CAL", "US-1", "GB-CA"} {
			status, m := e.submit(us, with("jurisdiction", code))
			if _, field, msg := errorOf(m); status != 400 || field != "jurisdiction" || !strings.Contains(msg, code) {
				t.Errorf("%s: status %d, field %q, message %q; want 400 naming jurisdiction and the code", code, status, field, msg)
			}
		}
		if after := e.counts(); after != before {
			t.Errorf("rows changed after refused submissions:\n before %s\n after  %s", before, after)
		}
		for _, code := range []string{"US-CA", "us-ny", "US-DC", "US"} {
			if status, m := e.submit(us, with("jurisdiction", code)); status != 201 {
				t.Errorf("%s: status %d %v, want 201", code, status, m)
			}
		}
		// A queue filter names the same field for the same fault.
		if st, body := e.do("GET", "/api/v1/requests?jurisdiction=US-ZZ", e.staff, nil); st != 400 || !strings.Contains(string(body), `"jurisdiction"`) {
			t.Errorf("filter by US-ZZ: status %d %s, want 400 naming jurisdiction", st, body)
		}
	})
}

func TestIntakeRefusesNonJSONContentType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		post := func(path, token, ctype, body string) (int, map[string]any) {
			t.Helper()
			req, err := http.NewRequest("POST", e.url+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var m map[string]any
			json.Unmarshal(b, &m)
			return resp.StatusCode, m
		}
		before := e.counts()
		for _, ctype := range []string{"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "application/json-patch+json", "json"} {
			status, m := post("/api/v1/requests", e.hk, ctype, hkRequest)
			if code, field, _ := errorOf(m); status != 400 || code != "invalid" || field != "Content-Type" {
				t.Errorf("request sent as %q: status %d, field %q; want 400 naming Content-Type", ctype, status, field)
			}
		}
		if after := e.counts(); after != before {
			t.Errorf("rows changed after refused submissions:\n before %s\n after  %s", before, after)
		}
		// Every JSON body goes through the same check: a pause too.
		if status, m := post("/api/v1/jurisdictions/HK/pause", e.admin, "", `{"reason": "human rights due diligence"}`); status != 400 {
			t.Errorf("pause without a Content-Type: status %d %v, want 400", status, m)
		} else if _, field, _ := errorOf(m); field != "Content-Type" {
			t.Errorf("pause without a Content-Type names %q, want Content-Type", field)
		}
		for _, ctype := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
			if status, m := post("/api/v1/requests", e.hk, ctype, hkRequest); status != 201 {
				t.Errorf("request sent as %q: status %d %v, want 201", ctype, status, m)
			}
		}
	})
}
