package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestMain lets the test binary stand in for the dueprocess binary, so
// that TestKillLosesNoAcknowledgedRequest can run it as a real process.
func TestMain(m *testing.M) {
	if os.Getenv("DUEPROCESS_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startProcess runs "dueprocess serve" as a child process and returns its
// URL once it listens.
func startProcess(t *testing.T, vars map[string]string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--rate-limit", "0")
	cmd.Env = append(os.Environ(), "DUEPROCESS_TEST_AS_MAIN=1")
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
				}
			}()
			return cmd, m[1]
		}
	}
	t.Fatal("the server exited before listening")
	return nil, ""
}

// TestKillLosesNoAcknowledgedRequest submits requests from several clients,
// kills the server with SIGKILL in the middle, restarts it, and checks that
// every request that was answered 201 is there, on both databases.
func TestKillLosesNoAcknowledgedRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir()}
			_, token := registerOfficial(t, vars)
			proc, url := startProcess(t, vars)

			var mu sync.Mutex
			acked := map[string]string{} // id → idempotency key
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for c := 0; c < 8; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ctx.Err() == nil; i++ {
						key := fmt.Sprintf("client-%d-%d", c, i)
						st, m, err := tryPost(url+"/api/v1/requests", token, walkthroughRequest, key)
						if err != nil {
							return // the server is gone
						}
						if st == 201 {
							mu.Lock()
							acked[m["id"].(string)] = key
							mu.Unlock()
						}
					}
				}()
			}
			// Kill in the middle of the load: once some requests were
			// acknowledged (on a busy machine that may take a while), and
			// while the clients keep sending.
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n > 0 {
					break
				}
			}
			time.Sleep(300 * time.Millisecond)
			proc.Process.Signal(syscall.SIGKILL)
			proc.Wait()
			cancel()
			wg.Wait()
			if len(acked) == 0 {
				t.Fatal("no request was acknowledged before the kill")
			}

			_, url = startProcess(t, vars)
			for id, key := range acked {
				if st, m := get(t, url+"/api/v1/requests/"+id, token); st != 200 {
					t.Errorf("acknowledged %s is missing after the kill: %d %v", id, st, m)
				}
				// A retry of an acknowledged request returns it, not a new one.
				if st, m, _ := tryPost(url+"/api/v1/requests", token, walkthroughRequest, key); st != 201 || m["id"] != id {
					t.Errorf("retry of %s after the kill: %d %v", id, st, m["id"])
				}
			}
			t.Logf("%d requests acknowledged before SIGKILL; all present after restart", len(acked))
		})
	}
}
