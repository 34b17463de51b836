#!/bin/sh
echo "the file the user wrote by hand"
