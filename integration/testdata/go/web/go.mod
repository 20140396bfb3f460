module example.com/web

go 1.24

require golang.org/x/text v0.21.0
