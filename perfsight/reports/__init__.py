"""Analysis reports: what each source showed over a window, the thresholds that make sense
without a load run, a "fix first" list, and the diff against the previous report."""
