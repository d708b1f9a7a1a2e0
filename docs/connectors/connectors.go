// Package connectors holds the example connectors profile of a
// Mastodon-like platform and the schema it reads, for "dueprocess demo",
// which builds a small platform database from them.
package connectors

import _ "embed"

// Schema is mastodon-schema.sql: the tables the profile reads.
//
//go:embed mastodon-schema.sql
var Schema string

// Profile is mastodon.yaml: the connectors file for that schema.
//
//go:embed mastodon.yaml
var Profile string
