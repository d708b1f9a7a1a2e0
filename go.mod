module github.com/dueprocess/dueprocess

go 1.26.8
