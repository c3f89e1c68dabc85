/** Activities: plain functions that do the I/O of an orchestration, run at least once. Zone: user-facing API. */
package dev.taskhub.activity;
