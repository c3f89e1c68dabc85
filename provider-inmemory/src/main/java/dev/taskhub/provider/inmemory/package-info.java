/** The in-memory storage provider, the embedded default. Zone: provider implementation. */
package dev.taskhub.provider.inmemory;
