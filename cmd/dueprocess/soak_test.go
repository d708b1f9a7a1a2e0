//go:build soak

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// The crash soak is slow (minutes per database), so it is built only with
// -tags soak; docs/reliability.md gives the command.
var soakKills = flag.Int("soak.kills", 200, "how many times TestCrashSoak kills the server (with -tags soak)")

const soakClients = 8

// TestCrashSoak kills a real server process with SIGKILL again and again
// while 8 clients submit requests without pause, restarting it after every
// kill, and then checks what a crash must never do: lose a request that
// was answered 201, store a request twice when a client retries with the
// same Idempotency-Key, break the audit log, or fork it from a checkpoint
// that was published before a kill.
func TestCrashSoak(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { crashSoak(t, d, *soakKills) })
	}
}

// soakServer is one run of the server process. gen counts the runs, so
// that a client whose request got no answer can wait for the next one.
type soakServer struct {
	gen  int
	url  string
	proc *exec.Cmd

	firstAck chan struct{} // closed at the first 201 this server answers
	once     sync.Once
}

// soakAck is a request answered 201: its key and the answer's body.
type soakAck struct {
	key    string
	answer map[string]any
}

type soak struct {
	t      *testing.T
	token  string
	client *http.Client

	cur      atomic.Pointer[soakServer]
	stopping atomic.Bool // no new keys; finish the ones in flight

	mu          sync.Mutex
	acked       map[string]soakAck // request id → key and answer
	keys        map[string]string  // key → request id
	checkpoints map[string]bool    // checkpoint text, as fetched

	retries, replayed, serverErrors atomic.Int64
}

func crashSoak(t *testing.T, d store.Dialect, kills int) {
	start := time.Now()
	vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir()}
	_, token := registerOfficial(t, vars)
	s := &soak{
		t:     t,
		token: token,
		// A timeout, so that a server that hangs instead of dying shows
		// as an error rather than a test that never ends.
		client:      &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: soakClients}},
		acked:       map[string]soakAck{},
		keys:        map[string]string{},
		checkpoints: map[string]bool{},
	}
	s.restart(vars)

	var clients sync.WaitGroup
	for c := range soakClients {
		clients.Add(1)
		go func() { defer clients.Done(); s.submit(c) }()
	}
	fetchDone := make(chan struct{})
	var fetcher sync.WaitGroup
	fetcher.Add(1)
	go func() { defer fetcher.Done(); s.fetchCheckpoints(fetchDone) }()

	coldKills := 0
	for range kills {
		// The delay runs from the server's first 201, so that every kill
		// falls in the middle of intake even when a loaded machine makes
		// a new server slow to answer; a server that answers nothing for
		// a few seconds is killed anyway.
		srv := s.cur.Load()
		select {
		case <-srv.firstAck:
		case <-time.After(3 * time.Second):
			coldKills++
		}
		time.Sleep(time.Duration(50+rand.IntN(251)) * time.Millisecond)
		srv.proc.Process.Signal(syscall.SIGKILL)
		srv.proc.Wait()
		s.restart(vars)
	}
	// The last server stays up: every client finishes the key it has in
	// flight against it, so every key sent ends with an answer.
	s.stopping.Store(true)
	clients.Wait()
	close(fetchDone)
	fetcher.Wait()
	if t.Failed() {
		return
	}
	srv := s.cur.Load()
	final := s.fetchCheckpoint(srv.url)
	if final == nil {
		t.Fatal("the last server served no checkpoint")
	}

	// Every acknowledged request is there, as it was acknowledged.
	for id, a := range s.acked {
		st, m, err := s.get(srv.url + "/api/v1/requests/" + id)
		if err != nil || st != 200 {
			t.Errorf("acknowledged request %s (key %s) is missing: %d %v %v", id, a.key, st, m, err)
			continue
		}
		if !reflect.DeepEqual(m, a.answer) {
			t.Errorf("request %s differs from its 201 answer:\n got %v\nwant %v", id, m, a.answer)
		}
	}

	// Every checkpoint fetched is signed by the log's key, and the log
	// after the last kill still has its tree at its size: a consistency
	// proof from the server, and the tree hash of the stored log itself.
	_, verifier, _, err := audit.LoadKey(vars["DUEPROCESS_DATA"])
	if err != nil {
		t.Fatal(err)
	}
	finalSize, finalRoot, err := audit.OpenCheckpoint(final, verifier, verifier.Name())
	if err != nil {
		t.Fatalf("the final checkpoint: %v", err)
	}
	type point struct {
		size int64
		root tlog.Hash
	}
	var points []point
	for text := range s.checkpoints {
		size, root, err := audit.OpenCheckpoint([]byte(text), verifier, verifier.Name())
		if err != nil {
			t.Errorf("checkpoint %q: %v", text, err)
			continue
		}
		points = append(points, point{size, root})
		if size > finalSize {
			t.Errorf("checkpoint of size %d is beyond the final log of %d entries", size, finalSize)
			continue
		}
		st, m, err := s.get(fmt.Sprintf("%s/api/v1/audit/proof/consistency?old=%d&new=%d", srv.url, size, finalSize))
		if err != nil || st != 200 {
			t.Errorf("consistency proof %d → %d: %d %v %v", size, finalSize, st, m, err)
			continue
		}
		var encoded []string
		for _, h := range m["proof"].([]any) {
			encoded = append(encoded, h.(string))
		}
		proof, err := audit.DecodeHashes(encoded)
		if err == nil {
			err = tlog.CheckTree(proof, finalSize, finalRoot, size, root)
		}
		if err != nil {
			t.Errorf("checkpoint of size %d is not a prefix of the final log of %d: %v", size, finalSize, err)
		}
	}
	srv.proc.Process.Signal(syscall.SIGKILL)
	srv.proc.Wait()

	ctx := context.Background()
	db, err := store.Open(ctx, vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range points {
		root, err := audit.TreeHash(ctx, db.AuditLog(), p.size)
		if err != nil || root != p.root {
			t.Errorf("the stored log's tree of size %d has root %v (%v); its checkpoint said %v", p.size, root, err, p.root)
		}
	}
	// No duplicates: one stored request per key that got a 201, and each
	// body's unique reference stored once.
	var stored, references, keys int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT process_reference) FROM requests`).Scan(&stored, &references); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys`).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	duplicates := stored - references
	if stored != len(s.keys) || duplicates != 0 || keys != len(s.keys) {
		t.Errorf("%d requests stored (%d distinct references, %d idempotency keys); %d keys were acknowledged", stored, references, keys, len(s.keys))
	}
	if out, err := cmd(t, vars, "audit", "verify"); err != nil {
		t.Errorf("audit verify: %v", err)
	} else {
		t.Logf("audit verify: %s", out)
	}

	summary := fmt.Sprintf("crash soak %s: %d kills (%d before any 201), %d requests acknowledged, %d stored, %d retries (%d replayed, %d after a 5xx), %d duplicates, %d checkpoints checked (final size %d), audit verify ok, %s",
		d, kills, coldKills, len(s.keys), stored, s.retries.Load(), s.replayed.Load(), s.serverErrors.Load(), duplicates, len(points), finalSize, time.Since(start).Round(time.Second))
	if t.Failed() {
		summary = "FAILED " + summary
	}
	t.Log(summary)
	fmt.Println(summary)
	if len(s.keys) == 0 || len(points) == 0 {
		t.Error("the soak acknowledged no request or fetched no checkpoint; it proved nothing")
	}
}

// restart starts the next server process and makes it the current one.
func (s *soak) restart(vars map[string]string) {
	proc, url := startProcess(s.t, vars)
	gen := 1
	if prev := s.cur.Load(); prev != nil {
		gen = prev.gen + 1
	}
	s.cur.Store(&soakServer{gen: gen, url: url, proc: proc, firstAck: make(chan struct{})})
}

// next waits for a server after the one of generation gen, or once the
// kills are over, returns the last one.
func (s *soak) next(gen int) *soakServer {
	for {
		time.Sleep(5 * time.Millisecond)
		if srv := s.cur.Load(); srv.gen > gen || s.stopping.Load() {
			return srv
		}
	}
}

// submit sends requests from client c, each with a key of its own, until
// the soak stops. A request that gets no answer, because the server died
// under it, is sent again with the same key to the next server, and only
// then does the client go on to a new key.
func (s *soak) submit(c int) {
	for i := 0; !s.stopping.Load(); i++ {
		key := fmt.Sprintf("soak-%d-%d", c, i)
		body := strings.Replace(walkthroughRequest, "HKPF-2026-0113", key, 1)
		srv := s.cur.Load()
		final := 0
		for attempt := 0; ; attempt++ {
			if attempt > 0 {
				s.retries.Add(1)
			}
			st, m, replayed, err := s.post(srv.url+"/api/v1/requests", body, key)
			if srv.gen == s.cur.Load().gen && s.stopping.Load() {
				// The last server is never killed, so it must answer,
				// if perhaps not at once on a loaded machine.
				if final++; final > 40 {
					s.t.Errorf("key %s: the last server gave no answer in %d attempts: %d %v %v", key, final-1, st, m, err)
					return
				}
				if err != nil || st >= 500 {
					time.Sleep(250 * time.Millisecond)
				}
			}
			if err == nil && st >= 500 {
				// A live server failed; that is worth counting, but the
				// request may still be retried.
				s.serverErrors.Add(1)
			}
			if err != nil || st >= 500 {
				// Try the same key again on the next server, or on the
				// last one once the kills are over.
				srv = s.next(srv.gen)
				continue
			}
			if st != 201 {
				s.t.Errorf("key %s: %d %v", key, st, m)
				return
			}
			srv.once.Do(func() { close(srv.firstAck) })
			if replayed {
				s.replayed.Add(1)
			}
			id, _ := m["id"].(string)
			s.mu.Lock()
			if prev, ok := s.keys[key]; ok && prev != id {
				s.t.Errorf("key %s answered %s, then %s", key, prev, id)
			}
			if prev, ok := s.acked[id]; ok && prev.key != key {
				s.t.Errorf("request %s acknowledged for keys %s and %s", id, prev.key, key)
			}
			s.keys[key] = id
			s.acked[id] = soakAck{key: key, answer: m}
			s.mu.Unlock()
			break
		}
	}
}

// fetchCheckpoints fetches the public checkpoint now and then until done,
// keeping every one it gets.
func (s *soak) fetchCheckpoints(done chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-time.After(time.Duration(20+rand.IntN(100)) * time.Millisecond):
		}
		s.fetchCheckpoint(s.cur.Load().url)
	}
}

// fetchCheckpoint fetches and keeps the current checkpoint, or returns nil
// if the server gave none.
func (s *soak) fetchCheckpoint(url string) []byte {
	resp, err := s.client.Get(url + "/api/v1/audit/checkpoint")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		return nil
	}
	s.mu.Lock()
	s.checkpoints[string(text)] = true
	s.mu.Unlock()
	return text
}

func (s *soak) post(url, body, key string) (status int, m map[string]any, replayed bool, err error) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	st, m, h, err := s.do(req)
	return st, m, h.Get("Idempotent-Replayed") == "true", err
}

func (s *soak) get(url string) (int, map[string]any, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	st, m, _, err := s.do(req)
	return st, m, err
}

func (s *soak) do(req *http.Request) (int, map[string]any, http.Header, error) {
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, resp.Header, err
	}
	var m map[string]any
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		return 0, nil, resp.Header, fmt.Errorf("%d %q: %w", resp.StatusCode, data, err)
	}
	return resp.StatusCode, m, resp.Header, nil
}
