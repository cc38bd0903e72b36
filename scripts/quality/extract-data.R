# Writes the real data sets used by docs/quality.md as CSV (id, label, numeric features), from the
# R packages Debian ships them in: apt-get install r-base-core r-cran-kernlab r-cran-mlbench
#   Rscript scripts/quality/extract-data.R scripts/quality/data
# Sources and licences: see scripts/quality/data/README.md.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "."
codes <- function(df) { for (n in names(df)) df[[n]] <- as.numeric(df[[n]]); df }

library(kernlab)
data(ticdata)
label <- ifelse(ticdata$CARAVAN == "insurance", "insurance", "none")
x <- codes(ticdata[, setdiff(names(ticdata), "CARAVAN")])
write.csv(data.frame(id = sprintf("tic-%05d", seq_len(nrow(x))), label = label, x, check.names = TRUE),
          gzfile(file.path(out, "coil2000.csv.gz")), row.names = FALSE, quote = FALSE)

library(mlbench)
data(LetterRecognition)
label <- as.character(LetterRecognition$lettr)
x <- codes(LetterRecognition[, setdiff(names(LetterRecognition), "lettr")])
write.csv(data.frame(id = sprintf("let-%05d", seq_len(nrow(x))), label = label, x, check.names = TRUE),
          gzfile(file.path(out, "letter.csv.gz")), row.names = FALSE, quote = FALSE)

# Session 13: two more from mlbench, 7 and 6 classes. Shuttle is extremely imbalanced (10 and 13 records in its two
# smallest classes of 58,000); Satellite's labels have spaces in them.
library(mlbench)
data(Shuttle)
label <- as.character(Shuttle$Class)
x <- codes(Shuttle[, setdiff(names(Shuttle), "Class")])
write.csv(data.frame(id = sprintf("shu-%05d", seq_len(nrow(x))), label = label, x, check.names = TRUE),
          gzfile(file.path(out, "shuttle.csv.gz")), row.names = FALSE, quote = FALSE)

data(Satellite)
label <- as.character(Satellite$classes)
x <- codes(Satellite[, setdiff(names(Satellite), "classes")])
write.csv(data.frame(id = sprintf("sat-%05d", seq_len(nrow(x))), label = label, x, check.names = TRUE),
          gzfile(file.path(out, "satellite.csv.gz")), row.names = FALSE, quote = FALSE)
