package dev.streamtree.aws;
