package dev.streamtree.streaming;
