// Command genhistory writes a history file of generated requests in the
// layout of docs/import.md, for measuring `dueprocess import requests` on
// large files (docs/benchmarks.md):
//
//	go run ./scripts/genhistory -n 1000000 -official officer@police.gov.hk -jurisdiction HK > history.csv
//
// Rows are received over 2016 to 2025, name one to three targets, and have
// references PREFIX-1 to PREFIX-n, so the file imports once per prefix.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 1000, "number of rows")
	official := flag.String("official", "officer@police.gov.hk", "e-mail of a registered official of the agency")
	jurisdiction := flag.String("jurisdiction", "HK", "the agency's jurisdiction")
	prefix := flag.String("prefix", "GEN", "prefix of the references")
	flag.Parse()
	if err := write(os.Stdout, *n, *official, *jurisdiction, *prefix); err != nil {
		fmt.Fprintln(os.Stderr, "genhistory:", err)
		os.Exit(1)
	}
}

func write(f *os.File, n int, official, jurisdiction, prefix string) error {
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	w.Write([]string{"received", "official", "kind", "jurisdiction", "legal_process", "reference", "issued_by",
		"targets", "data_categories", "status", "offence", "deadline"})
	processes := []string{"subpoena", "court_order", "search_warrant", "mlat", "other"}
	statuses := []string{"disclosed", "no_data", "rejected", "refused", "closed", "withdrawn"}
	categories := []string{"subscriber", "subscriber;ip_logs", "subscriber;ip_logs;metadata"}
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		received := start.AddDate(0, 0, i%3650)
		targets := make([]string, 1+i%3)
		for j := range targets {
			targets[j] = fmt.Sprintf("username:user%d_%d", i, j)
		}
		err := w.Write([]string{received.Format("2006-01-02"), official, "user_data", jurisdiction, processes[i%len(processes)],
			fmt.Sprintf("%s-%d", prefix, i+1), "Generated Authority", strings.Join(targets, ";"), categories[i%len(categories)],
			statuses[i%len(statuses)], "fraud", received.AddDate(0, 1, 0).Format("2006-01-02")})
		if err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
