import { mount } from 'svelte';
import App from './app/App.svelte';
import { linkManifestFor } from './app/manifest.ts';
import './app/app.css';

linkManifestFor(location.pathname);
mount(App, { target: document.getElementById('app')! });
