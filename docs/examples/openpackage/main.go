// Command openpackage opens a dueprocess disclosure package the way an
// agency would: it decrypts the age-encrypted tar with the official's age
// identity (or the one-time passphrase), writes the files to a folder, and
// checks each against manifest.json. It uses only filippo.io/age and the
// standard library, so it can be copied out of this repository.
//
//	go run ./docs/examples/openpackage -keygen key.txt            # prints the recipient to register
//	go run ./docs/examples/openpackage -identity key.txt -out dir package.tar.age
//	go run ./docs/examples/openpackage -passphrase 'abcd-…' -out dir package.tar.age
package main

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
)

func main() {
	keygen := flag.String("keygen", "", "write a new age identity to this file and print its recipient")
	identity := flag.String("identity", "", "the official's age identity file")
	passphrase := flag.String("passphrase", "", "the one-time passphrase given out of band")
	out := flag.String("out", "package", "folder to write the files to")
	flag.Parse()
	if err := run(*keygen, *identity, *passphrase, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "openpackage:", err)
		os.Exit(1)
	}
}

func run(keygen, identity, passphrase, out string, args []string) error {
	if keygen != "" {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			return err
		}
		if err := os.WriteFile(keygen, []byte(id.String()+"\n"), 0o600); err != nil {
			return err
		}
		fmt.Println(id.Recipient())
		return nil
	}
	if len(args) != 1 {
		return fmt.Errorf("give the package file")
	}
	var id age.Identity
	var err error
	if passphrase != "" {
		id, err = age.NewScryptIdentity(passphrase)
	} else {
		var b []byte
		if b, err = os.ReadFile(identity); err == nil {
			id, err = age.ParseX25519Identity(strings.TrimSpace(string(b)))
		}
	}
	if err != nil {
		return err
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	dec, err := age.Decrypt(f, id)
	if err != nil {
		return err
	}
	return extract(tar.NewReader(dec), out)
}

type manifest struct {
	RequestID string `json:"request_id"`
	Files     []struct {
		Name   string `json:"name"`
		Bytes  int64  `json:"bytes"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
}

// extract writes the package's entries to out, then checks every file
// the manifest lists against its size and sha256.
func extract(tr *tar.Reader, out string) error {
	sums := map[string]string{}
	sizes := map[string]int64{}
	var m manifest
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if name != "manifest.json" && !strings.HasPrefix(name, "files/") || strings.Contains(name, "..") {
			return fmt.Errorf("unexpected entry %q", h.Name)
		}
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		w, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		hash := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, hash), tr)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		sums[strings.TrimPrefix(name, "files/")], sizes[strings.TrimPrefix(name, "files/")] = hex.EncodeToString(hash.Sum(nil)), n
		if name == "manifest.json" {
			b, _ := os.ReadFile(path)
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("manifest.json: %w", err)
			}
			fmt.Printf("manifest.json sha256 %s\n", sums["manifest.json"])
		}
	}
	for _, f := range m.Files {
		if sums[f.Name] != f.SHA256 || sizes[f.Name] != f.Bytes {
			return fmt.Errorf("%s does not match the manifest", f.Name)
		}
		fmt.Printf("ok  %s  %d bytes  sha256 %s\n", f.Name, f.Bytes, f.SHA256)
	}
	if len(sums) != len(m.Files)+1 {
		return fmt.Errorf("the package holds %d files, the manifest lists %d", len(sums)-1, len(m.Files))
	}
	fmt.Printf("%s: %d files match the manifest\n", m.RequestID, len(m.Files))
	return nil
}
