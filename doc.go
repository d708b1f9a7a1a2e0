// Package dueprocess is the domain vocabulary of dueprocess, a system with
// which an online service receives, verifies, reviews and answers government
// demands for user data and for content restriction.
//
// This package holds the types every other package shares: requests and
// their parts, agencies, officials, staff, and the one error type. It
// imports only the standard library; every other package imports it.
package dueprocess
