{
  "targets": [
    {
      "target_name": "wrapped_mmap",
      "sources": ["mmap.cc"],
      "cflags_cc": ["-O2"]
    }
  ]
}
