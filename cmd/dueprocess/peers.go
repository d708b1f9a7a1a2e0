package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/report/published"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/web"
)

func importCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "import", args, map[string]func(context.Context, *cli, []string) error{
		"published": importPublished, "requests": importRequests,
	}, "published|requests")
}

// maxPublishedFile bounds one published CSV file; the largest real one is
// a few hundred kilobytes.
const maxPublishedFile = 64 << 20

func importPublished(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("import published", "import published --company google|meta|apple FILE…",
		"Imports the transparency-report CSV files Google, Meta or Apple publish about the\n"+
			"government requests for user data they receive, to show beside our own figures.\n"+
			"Every file is read and checked before anything is stored; a bad file is named with\n"+
			"its line and nothing is imported. Importing a file again replaces all its figures\n"+
			"(those of the earlier file of that name), so rows a corrected file dropped go.\n"+
			"Google's two files about government requests to remove content (summary and\n"+
			"detailed, see docs/content.md) are recognised by their header and kept apart.")
	company := fs.String("company", "", "whose files these are: google, meta or apple")
	dsn := c.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	paths := fs.Args()
	if len(paths) == 0 {
		fs.Usage()
		return usageError{"no files given"}
	}
	switch *company {
	case published.Google, published.Meta, published.Apple:
	default:
		return usageError{fmt.Sprintf("--company: %q is not one of google, meta, apple", *company)}
	}

	var files []store.PeerFile
	var removals []store.PeerRemovalFile
	total := 0
	for i, path := range paths {
		if *company == published.Google {
			rf, ok, err := readRemovals(path)
			if err != nil {
				return fmt.Errorf("nothing imported: %w", err)
			}
			if ok {
				removals = append(removals, rf)
				continue
			}
		}
		f, err := readPublished(*company, path)
		if err != nil {
			return fmt.Errorf("nothing imported: %w", err)
		}
		files = append(files, f)
		total += len(f.Figures)
		c.progress("reading", int64(i+1), int64(len(paths)))
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var written int
	var removed int
	err = db.Transact(ctx, func(tx *store.Tx) (err error) {
		written, removed = 0, 0
		if len(files) > 0 {
			if written, err = tx.ImportPeerFigures(ctx, *company, files, c.operator()); err != nil {
				return err
			}
		}
		if len(removals) > 0 {
			removed, err = tx.ImportPeerRemovals(ctx, *company, removals, c.operator())
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	c.say("imported %d figures of %s from %d files", written+removed, *company, len(files)+len(removals))
	return nil
}

// readPublished reads and parses one file, hashing the bytes it parsed.
func readPublished(company, path string) (store.PeerFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return store.PeerFile{}, err
	}
	if len(data) > maxPublishedFile {
		return store.PeerFile{}, fmt.Errorf("%s is over %d MB; is it a transparency-report CSV?", path, maxPublishedFile>>20)
	}
	figs, err := published.Parse(company, bytes.NewReader(data), path)
	if err != nil {
		return store.PeerFile{}, err
	}
	sum := sha256.Sum256(data)
	return store.PeerFile{Name: filepath.Base(path), SHA256: hex.EncodeToString(sum[:]), Figures: figs}, nil
}

// progress draws a progress line on stderr: "reading [#####     ] 3/6".
func (c *cli) progress(what string, done, total int64) {
	const width = 30
	filled := int(int64(width) * done / max(total, 1))
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < filled {
			bar[i] = '#'
		}
	}
	end := ""
	if done >= total {
		end = "\n"
	}
	fmt.Fprintf(c.stderr, "\r%s [%s] %d/%d%s", what, bar, done, total, end)
}

func reportCmd(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 && args[0] == "peers" {
		return reportPeers(ctx, c, args[1:])
	}
	return reportBuild(ctx, c, args)
}

func reportBuild(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("report", "report [--period 2026-H1] [--format json|html|csv|meta-csv|removals-csv|removals-detailed-csv|regimes-csv|dsa-orders-csv] [--out FILE|FOLDER]   |   report peers …",
		"Prints the transparency report of a half-year: per jurisdiction, user-data requests\n"+
			"by legal process with accounts and the share answered with some data; emergency,\n"+
			"preservation and content-restriction requests; refusals, pauses, escalations,\n"+
			"rejections and \"no data held\" apart; the pauses in force during the period; and\n"+
			"the signed audit checkpoint it was computed at. csv is Google's long layout.\n"+
			"removals-csv is Google's layout of government requests to remove content, from\n"+
			"the actions in effect on content demands' items (see docs/content.md);\n"+
			"removals-detailed-csv is Google's detailed layout of them, requests by reason;\n"+
			"regimes-csv the legal regimes (EU orders by issuing member state with the median\n"+
			"time to answer, UK DAA orders, extraterritorial demands; docs/regimes.md).\n"+
			"dsa-orders-csv counts orders to act against illegal content (DSA Art. 9) by\n"+
			"member state and type of illegal content, with the median hours to confirm\n"+
			"receipt and to give effect (DSA Art. 15(1)(a)).\n"+
			"--format html --out FOLDER writes a self-contained site: FOLDER/index.html with\n"+
			"style.css beside it and relative links to PERIOD.csv, PERIOD-meta.csv,\n"+
			"PERIOD-removals.csv, PERIOD-removals-detailed.csv, PERIOD-regimes.csv and\n"+
			"PERIOD.json, written with it.\n"+
			"If the log has grown since its latest checkpoint, a new one is signed with the\n"+
			"log's key from DIR/audit.key (never created here; run it in the server's folder\n"+
			"or pass the server's --data).\n"+
			"\"report peers\" prints other companies' imported figures.")
	period := fs.String("period", dueprocess.HalfYear(time.Now()), "the half-year, e.g. 2026-H1 (default: the current one, as on /transparency)")
	format := fs.String("format", "json", "json, html (the public page), csv (Google's layout), meta-csv (Meta's), removals-csv (Google's removals layout),\n"+
		"removals-detailed-csv (Google's detailed removals layout, by reason),\n"+
		"regimes-csv (the legal regimes) or dsa-orders-csv (DSA Art. 9 orders, Art. 15(1)(a))")
	out := fs.String("out", "", "write to FILE instead of standard output; with --format html, a folder\n"+
		"to write the page into, with style.css and the CSV and JSON files it links, for any static host")
	width := fs.Int("ns-band", 250, "width of the bands US national-security figures are given in: 250, 500 or 1000")
	dsn, data := c.auditFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains([]string{"json", "csv", "meta-csv", "html", "removals-csv", "removals-detailed-csv", "regimes-csv", "dsa-orders-csv"}, *format) {
		return usageError{fmt.Sprintf("--format: %q is not html, json, csv, meta-csv, removals-csv, removals-detailed-csv, regimes-csv or dsa-orders-csv", *format)}
	}
	if _, _, err := report.ParsePeriod(*period); err != nil {
		return flagError(err)
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	switch *format {
	case "removals-csv":
		return c.writeRemovals(ctx, db, *period, *out)
	case "removals-detailed-csv":
		return c.writeRemovalsDetailed(ctx, db, *period, *out)
	case "dsa-orders-csv":
		return c.writeDSAOrders(ctx, db, *period, *out)
	}
	// A report is a reading command: it never creates a key, and signs a
	// checkpoint only with the log's own key. Without the key it can still
	// name the latest stored checkpoint, if that covers the whole log.
	cp := &audit.Checkpointer{Store: db.AuditLog()}
	signer, _, _, keyErr := signingKey(ctx, db, *data)
	switch {
	case keyErr == nil:
		cp.Signer, cp.Origin = signer, signer.Name()
	case !errors.Is(keyErr, os.ErrNotExist):
		return keyErr
	}
	counts, err := db.ReportCounts(ctx, *period)
	if err != nil {
		return err
	}
	pauses, err := db.Pauses(ctx, "")
	if err != nil {
		return err
	}
	notices, err := db.NoticeCounts(ctx, *period)
	if err != nil {
		return err
	}
	holds, err := db.HoldCounts(ctx, *period)
	if err != nil {
		return err
	}
	// The checkpoint is signed after the counts are read, so it covers
	// every change they count.
	checkpoint, err := reportCheckpoint(ctx, cp)
	if errors.Is(err, audit.ErrNoKey) {
		return fmt.Errorf("a report must name a checkpoint that covers every entry it counts, and signing one needs the log's key: %w", keyErr)
	}
	if err != nil {
		return err
	}
	rep, err := report.BuildBanded(*period, counts, pauses, checkpoint, *width)
	if err != nil {
		return err
	}
	rep.AddNotices(notices)
	rep.AddHolds(holds)
	forged, err := db.ForgedCounts(ctx, *period)
	if err != nil {
		return err
	}
	rep.AddForged(forged)
	regimes, err := db.RegimeRequests(ctx, rep.Start.Time, rep.End.Time.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	rep.AddRegimeRequests(regimes)
	if *format == "html" && *out != "" {
		return c.writeReportSite(ctx, db, cp, rep, *out, *width)
	}
	body, err := c.renderReport(db, cp, rep, *format, *width)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = c.stdout.Write(body)
		return err
	}
	if err := os.WriteFile(*out, body, 0o644); err != nil {
		return err
	}
	c.say("wrote %s to %s", rep, *out)
	return nil
}

// writeReportSite writes the report's public page into dir, with its
// style sheet and the CSV and JSON files it links, rendered by the
// server's own code and template so that the site and /transparency
// never differ.
func (c *cli) writeReportSite(ctx context.Context, db *store.DB, cp *audit.Checkpointer, rep *report.Report, dir string, width int) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usageError{fmt.Sprintf("--out: %s is a file; with --format html, --out names a folder to write the page into", dir)}
	}
	decide, err := c.decider(c.getenv("DUEPROCESS_POLICY"))
	if err != nil {
		return err
	}
	srv := web.New(web.Config{DB: db, Checkpoints: cp, BandWidth: width, Decide: decide})
	files, err := srv.ReportSite(ctx, rep.Period)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
		names = append(names, name)
	}
	slices.Sort(names)
	c.say("wrote %s to %s: %s", rep, dir, strings.Join(names, ", "))
	return nil
}

// renderReport writes rep in format: the public page itself (rendered by
// the server's own handler, so the two never differ), Google's or Meta's
// CSV layout, or JSON.
func (c *cli) renderReport(db *store.DB, cp *audit.Checkpointer, rep *report.Report, format string, width int) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch format {
	case "html":
		decide, err := c.decider(c.getenv("DUEPROCESS_POLICY"))
		if err != nil {
			return nil, err
		}
		srv := web.New(web.Config{DB: db, Checkpoints: cp, BandWidth: width, Decide: decide})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/transparency?period="+rep.Period, nil))
		if rec.Code != 200 {
			return nil, fmt.Errorf("rendering the page: %d %s", rec.Code, rec.Body.String())
		}
		return rec.Body.Bytes(), nil
	case "csv":
		err = report.WriteGoogleCSV(&buf, rep)
	case "meta-csv":
		err = report.WriteMetaCSV(&buf, rep)
	case "regimes-csv":
		err = report.WriteRegimesCSV(&buf, rep)
	default:
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	}
	return buf.Bytes(), err
}

// reportCheckpoint returns the latest checkpoint, signed now if the log
// grew, for a report to name.
func reportCheckpoint(ctx context.Context, cp *audit.Checkpointer) (report.Checkpoint, error) {
	size, text, err := cp.Latest(ctx)
	if errors.Is(err, dueprocess.ErrNotFound) {
		return report.Checkpoint{}, nil
	}
	if err != nil {
		return report.Checkpoint{}, err
	}
	lines := strings.SplitN(string(text), "\n", 4)
	root := ""
	if len(lines) > 2 {
		root = lines[2]
	}
	return report.Checkpoint{Size: size, Root: root, Text: string(text)}, nil
}

func reportPeers(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("report peers", "report peers [--format json|csv] [--company NAME] [--jurisdiction CODE] [--period 2020-H2]",
		"Prints the imported figures of other companies, normalised: one record per company,\n"+
			"period, jurisdiction and legal process, with requests, accounts and the percentage\n"+
			"of requests where some data was produced (null where the company published none).")
	format := fs.String("format", "json", "json or csv")
	var f store.PeerFilter
	fs.StringVar(&f.Company, "company", "", "only this company's figures")
	fs.StringVar(&f.Jurisdiction, "jurisdiction", "", "only this jurisdiction (ISO code)")
	fs.StringVar(&f.Period, "period", "", "only this half-year, e.g. 2020-H2")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "json" && *format != "csv" {
		return usageError{fmt.Sprintf("--format: %q is not json or csv", *format)}
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	figs, err := db.PeerFigures(ctx, f)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeIndented(c, figs)
	}
	w := csv.NewWriter(c.stdout)
	w.Write([]string{"company", "product", "period", "jurisdiction", "legal_process", "requests", "accounts", "percent_some_data", "requests_band", "accounts_band"})
	for _, fig := range figs {
		w.Write([]string{fig.Company, fig.Product, fig.Period, fig.Jurisdiction, fig.LegalProcess,
			intOrEmpty(fig.Requests), intOrEmpty(fig.Accounts), floatOrEmpty(fig.PercentSomeData), bandOrEmpty(fig.RequestsBand), bandOrEmpty(fig.AccountsBand)})
	}
	w.Flush()
	return w.Error()
}

func intOrEmpty(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func floatOrEmpty(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func bandOrEmpty(b *published.Band) string {
	if b == nil {
		return ""
	}
	return b.String()
}
