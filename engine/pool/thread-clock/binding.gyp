{
  "targets": [
    {
      "target_name": "wrapped_thread_clock",
      "sources": ["thread-clock.cc"],
      "cflags_cc": ["-O2"]
    }
  ]
}
