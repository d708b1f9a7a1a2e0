package charset

import (
	"encoding/binary"
	"errors"
	"testing"
	"unicode/utf16"

	"github.com/dueprocess/dueprocess"
)

func utf16Bytes(s string, order binary.AppendByteOrder, bom bool) []byte {
	var b []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		b = order.AppendUint16(b, u)
	}
	return b
}

func utf32Bytes(s string, order binary.AppendByteOrder, bom bool) []byte {
	var b []byte
	if bom {
		b = order.AppendUint32(b, 0xFEFF)
	}
	for _, r := range s {
		b = order.AppendUint32(b, uint32(r))
	}
	return b
}

func TestCheck(t *testing.T) {
	const header = "received,official,kind,jurisdiction,legal_process,reference\n2020-01-02,a@b.example,user_data,HK\n"
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"utf-8", []byte(header), ""},
		{"utf-8 with a mark", append([]byte("\xef\xbb\xbf"), header...), ""},
		{"utf-8, accented", []byte("Pays,Requêtes\nCôte d'Ivoire,3\n"), ""},
		{"empty", nil, ""},
		{"utf-16le with a mark", utf16Bytes(header, binary.LittleEndian, true), "UTF-16"},
		{"utf-16be with a mark", utf16Bytes(header, binary.BigEndian, true), "UTF-16"},
		{"utf-16le without a mark", utf16Bytes(header, binary.LittleEndian, false), "UTF-16"},
		{"utf-16be without a mark", utf16Bytes(header, binary.BigEndian, false), "UTF-16"},
		{"utf-16le, a few CJK characters", utf16Bytes("Country,Requests,香港\nHong Kong,3,1\n", binary.LittleEndian, false), "UTF-16"},
		{"utf-32le with a mark", utf32Bytes(header, binary.LittleEndian, true), "UTF-32"},
		{"utf-32be without a mark", utf32Bytes(header, binary.BigEndian, false), "UTF-32"},
		{"utf-32le without a mark", utf32Bytes(header, binary.LittleEndian, false), "UTF-32"},
	} {
		err := Check(tc.in)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v, want no error", tc.name, err)
			}
			continue
		}
		want := "the file is " + tc.want + " encoded; save it as UTF-8"
		if err == nil || dueprocess.ErrorMessage(err) != want || !errors.Is(err, dueprocess.ErrInvalid) {
			t.Errorf("%s: %v, want an Invalid error %q", tc.name, err, want)
		}
	}
}
