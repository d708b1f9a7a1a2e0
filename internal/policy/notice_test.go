package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

const minimal = "version: 1\nladder: {subscriber: subpoena, ip_logs: court_order, metadata: court_order, location: search_warrant, content: search_warrant}\n"

func TestNoticeSection(t *testing.T) {
	if got := mustParse(t, minimal).Notice(); got != dueprocess.DefaultNoticePolicy {
		t.Errorf("without a notice section: %+v, want the default %+v", got, dueprocess.DefaultNoticePolicy)
	}
	got := mustParse(t, minimal+"notice: {on_release: false, on_hold: true, emergency_delay: 30d, language: de}\n").Notice()
	want := dueprocess.NoticePolicy{OnRelease: false, OnHold: true, EmergencyDelay: 30 * 24 * time.Hour, Language: "de"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	def, err := Parse("default.yaml", DefaultYAML)
	if err != nil {
		t.Fatal(err)
	}
	if def.Notice() != dueprocess.DefaultNoticePolicy {
		t.Errorf("default.yaml says %+v; the built-in default is %+v", def.Notice(), dueprocess.DefaultNoticePolicy)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"notice: {language: xx}", `test.yaml:3: notice.language: there is no notice template in "xx"; there are de, en`},
		{"notice: {emergency_delay: soon}", "test.yaml:3: notice.emergency_delay"},
		{"notice: {on_hold: maybe}", "test.yaml:3: notice.on_hold"},
		{"notice: {tell: everyone}", "test.yaml:3: notice"},
	} {
		_, err := Parse("test.yaml", []byte(minimal+tc.yaml+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.yaml, err, tc.want)
		}
	}
}
