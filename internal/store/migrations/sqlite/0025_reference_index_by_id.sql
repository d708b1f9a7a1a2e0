-- +goose Up
-- The duplicate signal (docs/verification.md) asks for the first request
-- that rests on the same legal process, in id order. With the reference
-- index ending at process_reference, SQLite read that order from
-- requests_agency instead and walked every request of the agency when no
-- duplicate exists, the common case; with id in the index both the match
-- and the order come from it.
DROP INDEX requests_reference;
CREATE INDEX requests_reference ON requests (agency_id, process_reference, id);

-- +goose Down
DROP INDEX requests_reference;
CREATE INDEX requests_reference ON requests (agency_id, process_reference);
