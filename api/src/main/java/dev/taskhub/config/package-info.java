/** Choosing and configuring a storage provider from a connection string setting. Zone: user-facing API. */
package dev.taskhub.config;
