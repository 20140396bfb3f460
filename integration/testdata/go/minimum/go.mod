module example.com/minimum

go 1.25.0
