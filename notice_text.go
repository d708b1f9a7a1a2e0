package dueprocess

import (
	"bytes"
	"embed"
	"fmt"
	"slices"
	"strings"
	"text/template"
)

// The notices' text: one template per language in notices/, embedded in
// the binary. The first line of each is the subject.

//go:embed notices/*.txt
var noticeFiles embed.FS

var noticeTemplates = template.Must(template.New("").Option("missingkey=error").ParseFS(noticeFiles, "notices/*.txt"))

// NoticeLanguages lists the languages notices can be written in.
func NoticeLanguages() []string {
	var out []string
	for _, t := range noticeTemplates.Templates() {
		if lang, ok := strings.CutSuffix(t.Name(), ".txt"); ok {
			out = append(out, lang)
		}
	}
	slices.Sort(out)
	return out
}

// CheckNoticeLanguage returns an Invalid error naming the languages there
// are when lang is not one of them.
func CheckNoticeLanguage(lang string) error {
	if noticeTemplates.Lookup(lang+".txt") == nil {
		return FieldError("notice.language", "there is no notice template in %q; there are %s", lang, strings.Join(NoticeLanguages(), ", "))
	}
	return nil
}

// NoticeFacts is what a notice tells: filled in by the store from the
// request, its agency and its approval.
type NoticeFacts struct {
	Target     Target
	Agency     string // the requesting authority's name
	Request    *Request
	Categories []DataCategory // what was released (or preserved)
	Reason     NoticeReason
}

// UserNotice writes the notice in lang to address: the message, ready
// for the outbox.
func UserNotice(lang, address string, f NoticeFacts) (*Mail, error) {
	t := noticeTemplates.Lookup(lang + ".txt")
	if t == nil {
		return nil, CheckNoticeLanguage(lang)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, f); err != nil {
		return nil, fmt.Errorf("notice template %s: %w", lang, err)
	}
	subject, body, _ := strings.Cut(b.String(), "\n")
	subject, _ = strings.CutPrefix(subject, "Subject: ")
	return &Mail{Kind: MailUserNotice, To: address, Subject: strings.TrimSpace(subject),
		Body: strings.TrimSpace(body) + "\n", RequestID: f.Request.ID}, nil
}
