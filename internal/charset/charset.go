// Package charset tells a file saved in UTF-16 or UTF-32 from a UTF-8 one
// by its first bytes. Spreadsheet programs write UTF-16 when asked for
// "Unicode text", and a CSV reader given such a file fails on the first
// NUL byte with a message that does not say why; the importers call Check
// first so that the message names the encoding and the cure.
package charset

import (
	"bytes"

	"github.com/dueprocess/dueprocess"
)

// Sniff is how many bytes of a file's start Check wants to see.
const Sniff = 512

// Check returns an Invalid error naming the encoding if head, the first
// bytes of a file, shows it to be UTF-16 or UTF-32: by its byte-order mark,
// or without one by NUL bytes where the high bytes of Latin characters sit
// (every other byte in UTF-16, three bytes in four in UTF-32). A header line
// of ASCII column names always shows that pattern.
func Check(head []byte) error {
	if enc := encoding(head); enc != "" {
		return dueprocess.Errorf(dueprocess.Invalid, "the file is %s encoded; save it as UTF-8", enc)
	}
	return nil
}

func encoding(head []byte) string {
	// The UTF-32 marks first: UTF-32LE's begins with UTF-16LE's.
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return "UTF-32"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "UTF-16"
	}
	if len(head) > Sniff {
		head = head[:Sniff]
	}
	// A few characters are needed to see a pattern; a shorter file is not
	// worth guessing about, and the CSV reader will judge it.
	if len(head) < 4 {
		return ""
	}
	var nul [4]int // NUL bytes by position modulo 4
	n := len(head) &^ 3
	for i, c := range head[:n] {
		if c == 0 {
			nul[i%4]++
		}
	}
	quarter := n / 4
	switch {
	case nul[1] == quarter && nul[2] == quarter && nul[3] == quarter && nul[0] == 0,
		nul[0] == quarter && nul[1] == quarter && nul[2] == quarter && nul[3] == 0:
		return "UTF-32"
	case mostly(nul[1]+nul[3], n/2) && nul[0]+nul[2] == 0,
		mostly(nul[0]+nul[2], n/2) && nul[1]+nul[3] == 0:
		return "UTF-16"
	}
	return ""
}

// mostly reports whether count is at least three quarters of total: in
// UTF-16 a character outside Latin-1 has no NUL half, and a header may hold
// a few.
func mostly(count, total int) bool {
	return total > 0 && 4*count >= 3*total
}
