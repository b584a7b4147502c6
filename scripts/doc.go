// Package scripts holds the repository's shell scripts (curl-client.sh,
// fuzz.sh) and, in its tests, checks of what they do. It has no Go API.
package scripts
