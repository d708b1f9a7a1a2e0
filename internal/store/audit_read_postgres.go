package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dueprocess/dueprocess"
)

// entriesPagePostgres is entriesPage for PostgreSQL, reading the rows
// through pgx's own connection in binary form: each row's two values are
// handed over as the bytes that came on the wire, where database/sql would
// convert each into a Go value and copy it again for Scan. Verify reads
// every entry of the log this way, and per entry that conversion cost
// more than hashing it.
func (s *AuditSource) entriesPagePostgres(ctx context.Context, from, to int64, fn func(index int64, data []byte) error) (int64, error) {
	conn, err := s.db.sql.Conn(ctx)
	if err != nil {
		return 0, mapError(fmt.Errorf("read audit entries: %w", err))
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("read audit entries: need a pgx connection, not %T", dc)
		}
		params := [][]byte{strconv.AppendInt(nil, from, 10), strconv.AppendInt(nil, to, 10)}
		binaryResults := []int16{1, 1} // bigint as 8 bytes, bytea as itself
		rr := c.Conn().PgConn().ExecParams(ctx, `SELECT idx, data FROM audit_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
			params, nil, nil, binaryResults)
		var stop error
		for stop == nil && rr.NextRow() {
			v := rr.Values()
			if len(v) != 2 || len(v[0]) != 8 || v[1] == nil {
				stop = fmt.Errorf("read audit entries: row %d is not an index and bytes", from+n)
				break
			}
			idx := int64(binary.BigEndian.Uint64(v[0]))
			if idx != from+n {
				stop = &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d is missing", from+n)}
				break
			}
			if stop = fn(idx, v[1]); stop == nil {
				n++
			}
		}
		// Close reads what is left of the result, so that the connection
		// can go back to the pool, and says whether the query failed.
		if _, err := rr.Close(); err != nil && stop == nil {
			stop = mapError(fmt.Errorf("read audit entries: %w", err))
		}
		return stop
	})
	return n, err
}
