// Package greeting exists only in this app's vendor/ folder: no proxy has
// it, so the build succeeds only if it reads vendor/ and stays offline.
package greeting

// Hello is what the app answers.
func Hello() string { return "hello from vendor" }
