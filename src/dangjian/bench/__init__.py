"""Scale (issue #11): a synthetic city or province (`dangjian bench generate`) and the
benchmark suite that measures the pages and services against it (`dangjian bench run`,
`make bench`). Nothing here runs in a request."""
