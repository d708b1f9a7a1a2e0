package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// The fault tests break the database under a running server, for real:
// a filesystem that fills up, a database file that cannot be written, a
// PostgreSQL server that cannot be reached. Each checks the same promises:
// every submission is answered 201 only once it is stored, and otherwise
// 503 with a message that says what is wrong and a Retry-After; /healthz
// says 503 with the same message while the fault lasts; and the server
// recovers on its own once the fault is gone, with every acknowledged
// request in place.

// privileged runs a command that needs root (mount, chattr). Where it is
// not permitted the test is skipped, except under CI=true, where CI runs
// as root and a skip would hide the test.
func privileged(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s %s: %v: %s (the fault tests need root, as in CI)", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// must runs a command that has to work once privileged set-up did.
func must(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

// serveWith starts "dueprocess serve" in this process with extra flags
// and returns its URL and a function that stops it.
func serveWith(t *testing.T, vars map[string]string, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				// The causes of failed requests are logged; show those
				// of any that were not answered 503, to debug a failure.
				for sc.Scan() {
					if line := sc.Text(); strings.Contains(line, "level=ERROR") && !strings.Contains(line, "the database") {
						t.Log(line)
					}
				}
				io.Copy(io.Discard, pr)
			}()
			var once sync.Once
			stop := func() {
				once.Do(func() {
					cancel()
					if err := <-done; err != nil {
						t.Errorf("serve: %v", err)
					}
				})
			}
			t.Cleanup(stop)
			return m[1], stop
		}
	}
	cancel()
	t.Fatalf("serve exited before listening: %v", <-done)
	return "", nil
}

// answer is what the server said to one submission.
type answer struct {
	key        string
	status     int // 0 when the connection failed
	id         string
	code, msg  string
	retryAfter string
	at         time.Time
}

func submit(base, token, key string) answer {
	a := answer{key: key}
	req, _ := http.NewRequest("POST", base+"/api/v1/requests", strings.NewReader(walkthroughRequest))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	a.at = time.Now()
	if err != nil {
		a.msg = err.Error()
		return a
	}
	defer resp.Body.Close()
	a.status, a.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	var body struct {
		ID    string `json:"id"`
		Error struct{ Code, Message string }
	}
	json.NewDecoder(resp.Body).Decode(&body)
	a.id, a.code, a.msg = body.ID, body.Error.Code, body.Error.Message
	return a
}

// load submits requests from several clients, each with its own
// Idempotency-Key, until it is paused, and keeps every answer.
type load struct {
	base, token string
	mu          sync.Mutex
	answers     []answer
	n           int
	stop        chan struct{}
	wg          sync.WaitGroup
}

func (l *load) start(clients int) {
	l.stop = make(chan struct{})
	for c := 0; c < clients; c++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				l.mu.Lock()
				l.n++
				key := fmt.Sprintf("fault-%d", l.n)
				l.mu.Unlock()
				a := submit(l.base, l.token, key)
				l.mu.Lock()
				l.answers = append(l.answers, a)
				l.mu.Unlock()
			}
		}()
	}
}

func (l *load) pause() {
	close(l.stop)
	l.wg.Wait()
}

// count returns how many answers since from had the status.
func (l *load) count(status int, from time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.answers {
		if a.status == status && !a.at.Before(from) {
			n++
		}
	}
	return n
}

// others lists a few answers that were neither 201 nor 503.
func (l *load) others() []answer {
	l.mu.Lock()
	defer l.mu.Unlock()
	var o []answer
	for _, a := range l.answers {
		if a.status != 201 && a.status != 503 && len(o) < 5 {
			o = append(o, a)
		}
	}
	return o
}

// readAll reads one request n times at once and counts the 200s and the
// 503s; any other answer fails the test.
func readAll(t *testing.T, base, token, id string, n int) (ok, failed int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", base+"/api/v1/requests/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			st, m, err := do(req)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && st == 200:
				ok++
			case err == nil && st == 503:
				failed++
			default:
				t.Errorf("read during the fault: %d %v %v", st, m, err)
			}
		}()
	}
	wg.Wait()
	return ok, failed
}

// waitFor polls cond every few milliseconds until it holds or the time is up.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit) // the answers so far are logged by runFault
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// healthz returns the status and error message of /healthz.
func healthz(base string) (int, string) {
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var body struct{ Error struct{ Message string } }
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error.Message
}

// fault is one way of breaking the database and mending it.
type fault struct {
	message string // the 503's message while the fault lasts
	begin   func(t *testing.T)
	end     func(t *testing.T)
}

// runFault submits requests while the fault begins, checks the answers
// and /healthz, ends the fault, waits for /healthz to recover with no
// intake running, and then checks that intake works and that every
// acknowledged request is stored exactly once.
func runFault(t *testing.T, vars map[string]string, f fault) {
	agency, err := cmd(t, vars, "agency", "add", "--name", "HKPF", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}
	token, err := cmd(t, vars, "official", "add", "--agency", agency, "--email", "o@police.gov.hk", "--name", "O")
	if err != nil {
		t.Fatal(err)
	}
	base, stop := serveWith(t, vars, "--rate-limit", "0")
	l := &load{base: base, token: token}

	l.start(4)
	waitFor(t, "201s before the fault", 10*time.Second, func() bool { return l.count(201, time.Time{}) >= 30 })
	began := time.Now()
	f.begin(t)
	toFirst503 := waitFor(t, "503s during the fault", 10*time.Second, func() bool {
		if l.count(503, began) >= 20 {
			return true
		}
		if others := l.others(); len(others) > 0 {
			l.pause()
			t.Fatalf("answers other than 201 and 503 during the fault: %v", others)
		}
		return false
	})
	l.pause()
	okBefore, okDuring := l.count(201, time.Time{})-l.count(201, began), l.count(201, began)
	failed := l.count(503, began)

	// Reads go on during the fault, many at once: where the database
	// still reads (SQLite) they are answered 200, else 503. They make the
	// server open connections while the fault lasts, which must not carry
	// the fault on after it ends.
	var readID string
	for _, a := range l.answers {
		if a.status == 201 {
			readID = a.id
			break
		}
	}
	readsOK, readsFailed := readAll(t, base, token, readID, 32)

	if st, msg := healthz(base); st != 503 || msg != f.message {
		t.Errorf("healthz during the fault: %d %q, want 503 %q", st, msg, f.message)
	}
	ended := time.Now()
	f.end(t)
	// Nothing is submitted now: /healthz itself must find out that writes
	// work again, or a load balancer that took the server out of rotation
	// would never send it the traffic that would show it.
	healthy := waitFor(t, "healthz after the fault", 10*time.Second, func() bool { st, _ := healthz(base); return st == 200 })

	l.start(4)
	waitFor(t, "201s after the fault", 10*time.Second, func() bool { return l.count(201, ended) >= 30 })
	l.pause()
	okAfter, failedAfter := l.count(201, ended), l.count(503, ended)
	if failedAfter > 0 {
		// Once /healthz says 200 the fault is over for every writer too:
		// no connection opened during the fault may carry it on.
		t.Errorf("%d × 503 after the fault ended and healthz said 200", failedAfter)
	}

	// Every answer was a 201 or a 503 that says what is wrong.
	acked := map[string]string{}
	for _, a := range l.answers {
		switch {
		case a.status == 201 && a.id != "":
			acked[a.key] = a.id
		case a.status == 503:
			if a.code != "unavailable" || a.msg != f.message || a.retryAfter == "" {
				t.Errorf("%s: 503 %s %q Retry-After %q; want unavailable %q with a Retry-After", a.key, a.code, a.msg, a.retryAfter, f.message)
			}
		default:
			t.Errorf("%s: %d %s %q; want 201 or 503", a.key, a.status, a.code, a.msg)
		}
	}
	// A retry of every submission is answered 201: with the stored request
	// if the first answer was a 201, and with a new one otherwise (or the
	// stored one, if a 503 came after a commit whose outcome was unknown).
	for _, a := range l.answers {
		r := submit(base, token, a.key)
		if r.status != 201 {
			t.Errorf("retry of %s: %d %q", a.key, r.status, r.msg)
		} else if id, ok := acked[a.key]; ok && r.id != id {
			t.Errorf("retry of %s: %s, want the acknowledged %s", a.key, r.id, id)
		}
	}
	stop()

	// Exactly one request per submission is stored: none acknowledged
	// was lost, and none failed was stored twice.
	db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM requests`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != len(l.answers) {
		t.Errorf("%d requests stored, want one for each of the %d submissions", stored, len(l.answers))
	}
	t.Logf("before the fault: %d × 201; during: %d × 201, %d × 503 (first 503 %s after the fault began), reads %d × 200, %d × 503; "+
		"healthz 200 %s after the fault ended; after: %d × 201, %d × 503; %d stored",
		okBefore, okDuring, failed, toFirst503.Round(time.Millisecond), readsOK, readsFailed, healthy.Round(time.Millisecond), okAfter, failedAfter, stored)
}

// TestDiskFullAnswers503 puts the SQLite database on a small tmpfs and
// fills it while intake runs.
func TestDiskFullAnswers503(t *testing.T) {
	dir := t.TempDir()
	mnt := filepath.Join(dir, "disk")
	os.Mkdir(mnt, 0o700)
	privileged(t, "mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt)
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })

	filler := filepath.Join(mnt, "filler")
	runFault(t, map[string]string{"DUEPROCESS_DB": filepath.Join(mnt, "dueprocess.db"), "DUEPROCESS_DATA": filepath.Join(dir, "data")}, fault{
		message: "the database is full",
		begin: func(t *testing.T) {
			f, err := os.Create(filler)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			buf := make([]byte, 64<<10)
			for {
				if _, err := f.Write(buf); err != nil {
					break // the disk is full
				}
			}
		},
		end: func(t *testing.T) {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// TestReadOnlyDatabaseAnswers503 makes the SQLite database and its WAL
// immutable while intake runs. Root ignores file modes, and a filesystem
// cannot be remounted read-only while files on it are open for writing,
// so the immutable attribute of ext4, which binds root too and stops
// writes through descriptors already open, is what makes the files read-only.
func TestReadOnlyDatabaseAnswers503(t *testing.T) {
	for _, tool := range []string{"mkfs.ext4", "chattr"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI=true (Debian package e2fsprogs)", tool)
			}
			t.Skipf("%s not found; install e2fsprogs to run this test", tool)
		}
	}
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "disk.img"), filepath.Join(dir, "disk")
	os.Mkdir(mnt, 0o700)
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 32<<20); err != nil {
		t.Fatal(err)
	}
	must(t, "mkfs.ext4", "-q", "-F", img)
	privileged(t, "mount", "-o", "loop", img, mnt)
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })

	dbPath := filepath.Join(mnt, "dueprocess.db")
	files := []string{dbPath, dbPath + "-wal"}
	t.Cleanup(func() { exec.Command("chattr", append([]string{"-i"}, files...)...).Run() })
	runFault(t, map[string]string{"DUEPROCESS_DB": dbPath, "DUEPROCESS_DATA": filepath.Join(dir, "data")}, fault{
		message: "the database is read-only",
		begin:   func(t *testing.T) { must(t, "chattr", append([]string{"+i"}, files...)...) },
		end:     func(t *testing.T) { must(t, "chattr", append([]string{"-i"}, files...)...) },
	})
}

// TestPostgresAwayAnswers503 puts a TCP proxy between the server and
// PostgreSQL and cuts it while intake runs: every connection is closed and
// new ones are refused, as when the database server goes away. The shared
// PostgreSQL server itself is never touched.
func TestPostgresAwayAnswers503(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: u.Host}
	p.listen(t, "127.0.0.1:0")
	t.Cleanup(p.cut)
	viaProxy := *u
	viaProxy.Host = p.addr
	runFault(t, map[string]string{"DUEPROCESS_DB": viaProxy.String(), "DUEPROCESS_DATA": t.TempDir()}, fault{
		message: "the database cannot be reached",
		begin:   func(t *testing.T) { p.cut() },
		end:     func(t *testing.T) { p.listen(t, p.addr) },
	})
}

// proxy relays TCP connections to target until it is cut.
type proxy struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func (p *proxy) listen(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	if p.conns == nil {
		p.conns = map[net.Conn]bool{}
	}
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.relay(c)
		}
	}()
}

func (p *proxy) relay(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // cut while dialling
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close(); c.Close() }()
	io.Copy(c, s)
	c.Close()
	s.Close()
}

// cut closes the listener, so that new connections are refused, and
// every connection relayed so far.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}
