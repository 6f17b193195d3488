// Synthetic names and addresses for subscribers and account holders (invented; any likeness is chance).
import type { SeededRandom } from './seeded.random.js';

const GIVEN = [
  'Anna',
  'Bram',
  'Chloé',
  'Daan',
  'Eva',
  'Finn',
  'Gijs',
  'Hanna',
  'Ilse',
  'Jonas',
  'Katrin',
  'Lars',
  'Mila',
  'Noah',
  'Olga',
  'Pieter',
];
const FAMILY = [
  'de Vries',
  'Jansen',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'Mulder',
  'de Boer',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
];
const STREETS = [
  'Kerkstraat',
  'Dorpsstraat',
  'Stationsweg',
  'Molenweg',
  'Schoolstraat',
  'Julianastraat',
  'Beatrixlaan',
  'Nieuwstraat',
];
const CITIES = [
  'Amsterdam',
  'Rotterdam',
  'Utrecht',
  'Eindhoven',
  'Groningen',
  'Tilburg',
  'Almere',
  'Breda',
  'Nijmegen',
  'Haarlem',
];

export interface Person {
  readonly name: string;
  readonly dateOfBirth: string;
  readonly address: string;
}

export function personOf(random: SeededRandom): Person {
  const year = random.int('birth-year', 1950, 2004);
  const month = String(random.int('birth-month', 1, 12)).padStart(2, '0');
  const day = String(random.int('birth-day', 1, 28)).padStart(2, '0');
  return {
    name: `${random.pick('given', GIVEN)} ${random.pick('family', FAMILY)}`,
    dateOfBirth: `${year}-${month}-${day}`,
    address: `${random.pick('street', STREETS)} ${random.int('house', 1, 250)}, ${random.digits('postcode', 4)} ${random.pick('city', CITIES)}`,
  };
}

/** A date (YYYY-MM-DD) between 2005 and 2024: when a contract or an account started. */
export function sinceDate(random: SeededRandom, label: string): string {
  const year = random.int(`${label}-year`, 2005, 2024);
  return `${year}-${String(random.int(`${label}-month`, 1, 12)).padStart(2, '0')}-${String(random.int(`${label}-day`, 1, 28)).padStart(2, '0')}`;
}
