package web

import (
	"context"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dueprocess/dueprocess"
)

// registerBacklog adds the gauges of work waiting in the database, read
// at each scrape: overdue requests, and the outbox by status. Every
// server sharing a database reports the same figures; a failed read is
// reported as NaN and logged.
func (s *Server) registerBacklog() {
	read := func(what string, f func(ctx context.Context) (float64, error)) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			v, err := f(ctx)
			if err != nil {
				s.log.Warn("metrics: cannot read "+what, "err", err)
				return math.NaN()
			}
			return v
		}
	}
	s.metrics.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "dueprocess_requests_overdue",
		Help: "Requests past their due_at that are still being handled and not paused.",
	}, read("overdue requests", func(ctx context.Context) (float64, error) {
		n, err := s.db.Overdue(ctx)
		return float64(n), err
	})))
	for _, st := range []dueprocess.MailStatus{dueprocess.MailQueued, dueprocess.MailSent, dueprocess.MailFailed} {
		s.metrics.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "dueprocess_outbox_messages",
			Help:        "Messages in the mail outbox, by status: queued (waiting or to be tried again), sent, failed (given up).",
			ConstLabels: prometheus.Labels{"status": string(st)},
		}, read("the outbox", func(ctx context.Context) (float64, error) {
			counts, err := s.db.OutboxCounts(ctx)
			return float64(counts[st]), err
		})))
	}
}
