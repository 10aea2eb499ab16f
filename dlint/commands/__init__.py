"""One module per `dlint` sub-command; each imports its heavy parts inside the function."""
