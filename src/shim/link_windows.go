package main

// noHardLinks: on Windows, CreateHardLink's errors are not errno values; any
// failure other than "exists" (handled by the caller) falls back to rename,
// which is what libuv's mapping of those errors makes local-store.ts do.
func noHardLinks(err error) bool { return err != nil }
