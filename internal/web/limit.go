package web

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dueprocess/dueprocess"
)

// Limits bound how fast one caller may call the API. They are kept per
// server process: with several servers, each enforces its own.
type Limits struct {
	// PerCaller is the sustained calls per second allowed to one token,
	// with bursts of Burst. Zero turns the limit off.
	PerCaller float64
	Burst     int
	// FailedAuthPerMinute is how many failed authentications one address
	// may make per minute (bursts of 20) before it is refused outright.
	// Tokens are 256-bit secrets, so this limits noise, not guessing.
	FailedAuthPerMinute float64
}

// DefaultLimits suit an agency's automation and a person at a portal.
var DefaultLimits = Limits{PerCaller: 20, Burst: 100, FailedAuthPerMinute: 30}

// limiter keeps one token bucket per key, forgetting keys idle for long.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	if perSecond <= 0 {
		return nil
	}
	return &limiter{every: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// get returns the bucket of key, creating it full.
func (l *limiter) get(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim
}

// allow takes a token from key's bucket, or says how long to wait.
func (l *limiter) allow(key string) error {
	if l == nil {
		return nil
	}
	lim := l.get(key)
	if lim.Allow() {
		return nil
	}
	return rateLimited(lim)
}

// exhausted reports, without taking a token, whether key's bucket is empty.
func (l *limiter) exhausted(key string) error {
	if l == nil {
		return nil
	}
	lim := l.get(key)
	if lim.Tokens() >= 1 {
		return nil
	}
	return rateLimited(lim)
}

func rateLimited(lim *rate.Limiter) error {
	wait := time.Duration(float64(time.Second) / float64(lim.Limit()))
	return &dueprocess.Error{Kind: dueprocess.RateLimited, Message: "too many calls; retry after " + wait.Round(time.Second).String()}
}

// clientAddr is the caller's IP address (without port). A proxy in front
// must be trusted to be the only caller; dueprocess does not read
// X-Forwarded-For, which any client can forge.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
